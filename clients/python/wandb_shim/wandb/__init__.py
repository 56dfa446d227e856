"""A minimal, offline stand-in for the `wandb` package, so that W&B sweep trainers run unchanged under
`sweep run`. It is on PYTHONPATH only when the sweep opts in (`sweep.wandb_shim: true` or `--wandb-shim`).

What it does: `wandb.init()` loads the trial's parameters (SWEEP_PARAMS) into `wandb.config`, and
`wandb.log()` sends numeric values to the sweep controller through sweep_client. Nothing is uploaded, no
account is needed. Everything else W&B offers raises `UnsupportedError`, naming docs/wandb-compat.md,
which lists exactly what is supported.
"""

import atexit
import numbers
import os
import sys

import sweep_client

__version__ = "0.0.0+sweep.shim"
__all__ = ["init", "log", "finish", "define_metric", "login", "watch", "config", "run", "summary", "Error", "UnsupportedError"]

DOCS = "docs/wandb-compat.md"


class Error(Exception):
    """Raised for misuse of a supported call (as wandb.Error is)."""


class UnsupportedError(AttributeError, NotImplementedError):
    """A W&B feature this offline shim does not provide.

    An AttributeError too, so `hasattr(wandb, "Artifact")` is False rather than an exception.
    """


def _warn(message):
    sys.stderr.write("wandb (sweep shim): %s\n" % message)


class Config(object):
    """`wandb.config`: attribute and item access over the trial's parameters.

    Keys set by the sweep win over defaults from `init(config=...)` and `update()`, as in a W&B sweep.
    """

    def __init__(self):
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_locked", set())

    # Item access
    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, value):
        self._set(key, value)

    def __contains__(self, key):
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    # Attribute access
    def __getattr__(self, key):
        items = object.__getattribute__(self, "_items")
        if key in items:
            return items[key]
        raise AttributeError("wandb.config has no key %r (keys: %s)" % (key, ", ".join(sorted(items)) or "none"))

    def __setattr__(self, key, value):
        self._set(key, value)

    def __repr__(self):
        return "Config(%r)" % (self._items,)

    # dict-like helpers wandb.config offers
    def get(self, key, default=None):
        return self._items.get(key, default)

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def as_dict(self):
        return dict(self._items)

    def update(self, values=None, allow_val_change=False, **kwargs):
        merged = dict(_as_mapping(values), **kwargs)
        for key, value in merged.items():
            self._set(key, value, allow_val_change)

    def setdefaults(self, values):
        for key, value in _as_mapping(values).items():
            if key not in self._items:
                self._items[key] = value

    def _set(self, key, value, allow_val_change=False):
        if key in self._locked and not allow_val_change:
            if self._items.get(key) != value:
                _warn("config %r is set by the sweep (%r); ignored update to %r" % (key, self._items[key], value))
            return
        self._items[key] = value

    def _load_sweep(self, params):
        for key, value in params.items():
            self._items[key] = value
            self._locked.add(key)


def _as_mapping(values):
    """A dict from a dict, an argparse.Namespace or None (what wandb.init(config=...) accepts)."""
    if values is None:
        return {}
    if isinstance(values, dict):
        return values
    if hasattr(values, "__dict__"):
        return dict(vars(values))
    raise TypeError("config must be a dict or an argparse.Namespace, got %r" % (values,))


class Summary(object):
    """`run.summary`: item and attribute access. Values set here are reported once, when the run finishes,
    so `run.summary["val_pearson"] = best` changes the trial's last value as it changes a W&B run's."""

    def __init__(self):
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_explicit", {})

    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, value):
        self._items[key] = value
        self._explicit[key] = value

    def __getattr__(self, key):
        items = object.__getattribute__(self, "_items")
        if key in items:
            return items[key]
        raise AttributeError("run.summary has no key %r" % (key,))

    def __setattr__(self, key, value):
        self[key] = value

    def __contains__(self, key):
        return key in self._items

    def get(self, key, default=None):
        return self._items.get(key, default)

    def keys(self):
        return self._items.keys()

    def items(self):
        return self._items.items()

    def update(self, values=None, **kwargs):
        for key, value in dict(values or {}, **kwargs).items():
            self[key] = value

    def _logged(self, values):
        self._items.update(values)


class Run(object):
    def __init__(self, config, project, name):
        self.config = config
        self.summary = Summary()
        self.project = project
        self.id = os.environ.get("SWEEP_TRIAL_ID") or "offline"
        self.name = name or ("trial-%s" % os.environ.get("SWEEP_TRIAL_NUMBER", "0"))
        self.sweep_id = os.environ.get("SWEEP_ID")
        self.dir = sweep_client.trial_dir() or os.getcwd()
        self.url = None
        self._step = 0  # W&B's row counter: the row the next log() goes to
        self._pending = {}
        self._finished = False

    @property
    def step(self):
        return self._step

    def log(self, data, step=None, commit=None):
        if self._finished:
            raise Error("wandb.log() after wandb.finish(); call wandb.init() again for a new run")
        if not isinstance(data, dict):
            raise TypeError("wandb.log() takes a dict of metrics, got %r" % (data,))
        if step is not None:
            if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
                raise ValueError("wandb.log(step=%r): expected a non-negative integer" % (step,))
            if step < self._step:
                # W&B drops such data with a warning: rows are append-only.
                _warn("step %d is before the current step %d; dropped %s" % (step, self._step, sorted(data)))
                return
            if step > self._step:
                self._commit()
                self._step = int(step)
        self._pending.update(_flatten(data))
        # As in W&B: without `step` each call is a row of its own; with `step` the row stays open for more
        # values at that step until a later step (or commit=True, or finish) closes it.
        should_commit = step is None if commit is None else commit
        if should_commit:
            self._commit()

    def define_metric(self, name, *args, **kwargs):
        return define_metric(name, *args, **kwargs)

    def finish(self, exit_code=None, quiet=None):
        if self._finished:
            return
        self._commit()
        explicit = _numeric(self.summary._explicit)
        if explicit:
            # Reported as one more row, so the controller's "last value" is what the summary says.
            sweep_client.report(self._step + 1, **explicit)
        self._finished = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        finish(exit_code=0 if exc_type is None else 1)
        return False

    def _commit(self):
        if not self._pending:
            return
        row, self._pending = self._pending, {}
        self.summary._logged(row)
        metrics = _numeric(row)
        if metrics:
            # The protocol's step is W&B's row number + 1: a trainer logging once per epoch reports steps
            # 1, 2, 3, ..., so hyperband's min_iter counts logged rows as W&B's does.
            sweep_client.report(self._step + 1, **metrics)
        self._step += 1


_warned_keys = set()


def _numeric(values):
    """The numeric entries (ints, floats, numpy/torch scalars); others are skipped, once with a warning."""
    out = {}
    for key, value in values.items():
        if hasattr(value, "item") and not isinstance(value, (int, float)):
            try:
                value = value.item()
            except (TypeError, ValueError):
                pass
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            out[key] = float(value) if not isinstance(value, int) else value
        elif key not in _warned_keys:
            _warned_keys.add(key)
            _warn("%r is not a number (%s); only numbers reach the sweep, see %s" % (key, type(value).__name__, DOCS))
    return out


def _flatten(data, prefix=""):
    """Nested dicts become dotted names: {"eval": {"loss": 1}} -> {"eval.loss": 1}."""
    out = {}
    for key, value in data.items():
        name = prefix + str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


config = Config()
run = None
summary = None


def init(project=None, entity=None, config=None, name=None, reinit=None, mode=None, **kwargs):
    """Start the run: the sweep's parameters go into wandb.config, over `config` given here.

    Other W&B arguments (tags, notes, group, job_type, dir, id, resume, settings, ...) are accepted and
    ignored: there is no server to send them to.
    """
    global run, summary
    module = sys.modules[__name__]
    if run is not None and not run._finished:
        if not reinit:
            if config is not None:
                module.config.setdefaults(_as_mapping(config))
            return run
        run.finish()
    fresh = Config()
    fresh.update(_as_mapping(config), allow_val_change=True)
    fresh._load_sweep(sweep_client.params())
    module.config = fresh
    run = Run(fresh, project, name)
    summary = run.summary
    if not sweep_client.in_sweep():
        _warn("not started by a sweep controller: wandb.log() values go nowhere (offline shim, see %s)" % DOCS)
    return run


def log(data, step=None, commit=None, sync=None):
    if run is None:
        raise Error("You must call wandb.init() before wandb.log()")
    run.log(data, step=step, commit=commit)


def finish(exit_code=None, quiet=None):
    if run is not None:
        run.finish(exit_code=exit_code)


def define_metric(name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None, overwrite=None, **kwargs):
    """Accepted and ignored: the sweep file's `metric` decides what is optimised."""
    return None


def login(*args, **kwargs):
    """Accepted and ignored: the shim needs no account."""
    return True


def watch(*args, **kwargs):
    """Accepted and ignored: gradients and parameters are not logged."""
    return None


_UNSUPPORTED_HINTS = {
    "sweep": "the sweep is created by `sweep run FILE` from the sweep file; remove the wandb.sweep() call",
    "agent": "trials are started by `sweep run`; call your training function directly instead of wandb.agent()",
}


def __getattr__(name):
    # Dunder lookups (__path__, __spec__, ...) must stay ordinary AttributeErrors for the import system.
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    hint = _UNSUPPORTED_HINTS.get(name, "the offline shim supports only the calls listed there")
    raise UnsupportedError("wandb.%s is not supported by sweep's W&B shim: %s (see %s)" % (name, hint, DOCS))


@atexit.register
def _finish_at_exit():
    # W&B finishes an unfinished run at exit; so do we, so the last open row is not lost.
    if run is not None and not run._finished:
        run.finish()
