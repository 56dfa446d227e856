"""A minimal, offline stand-in for the `wandb` package, so that W&B sweep trainers run unchanged under
`sweep`. It is on PYTHONPATH only when the sweep opts in (`sweep.wandb_shim: true`, `--wandb-shim`) or when
the script is run by `sweep wandb -- python script.py`.

What it does: `wandb.init()` loads the trial's parameters (SWEEP_PARAMS) into `wandb.config`, `wandb.log()`
sends numeric values to the sweep controller through sweep_client, and `run.summary` is sent once when the
run finishes. In a script run by `sweep wandb`, `wandb.sweep()` and `wandb.agent()` hand the sweep to the
controller, which runs each trial as a fresh process of the same script. Media, tables and artifacts are
accepted and dropped. Nothing is uploaded, no account is needed. docs/wandb-compat.md lists every call.
"""

import atexit
import contextlib
import fnmatch
import json
import logging
import numbers
import os
import signal
import sys
import tempfile
import traceback

import sweep_client

__version__ = "0.0.0+sweep.shim"
__all__ = [
    "init", "log", "finish", "define_metric", "login", "watch", "unwatch", "config", "run", "summary", "sweep",
    "agent", "save", "alert", "AlertLevel", "Settings", "Artifact", "Table", "Image", "Histogram", "Audio",
    "Video", "Html", "Object3D", "Molecule", "Plotly", "plot", "log_artifact", "use_artifact", "log_model",
    "termlog", "termwarn", "termerror", "Error", "UnsupportedError",
]

DOCS = "docs/wandb-compat.md"
_logger = logging.getLogger("wandb")
_debugged = set()


class Error(Exception):
    """Raised for misuse of a supported call (as wandb.Error is)."""


class UnsupportedError(AttributeError, NotImplementedError):
    """A W&B feature this offline shim does not provide.

    An AttributeError too, so `hasattr(wandb, "Api")` is False rather than an exception.
    """


def _warn(message):
    sys.stderr.write("wandb (sweep shim): %s\n" % message)


def _debug_once(key, message):
    """Things accepted and dropped (media, artifacts, files, alerts): one debug line each, never an error."""
    if key not in _debugged:
        _debugged.add(key)
        _logger.debug("sweep shim: %s (offline; see %s)", message, DOCS)


def termlog(string="", newline=True, repeat=True, prefix=True):
    sys.stderr.write(("wandb: " if prefix else "") + str(string) + ("\n" if newline else ""))


def termwarn(string, **kwargs):
    termlog("WARNING " + str(string))


def termerror(string, **kwargs):
    termlog("ERROR " + str(string))


def _mode():
    """"trial": run by the controller as one trial; "driver": run by `sweep wandb`; "standalone" otherwise."""
    if sweep_client.in_sweep():
        return "trial"
    if os.environ.get("SWEEP_WANDB_CONTROL"):
        return "driver"
    return "standalone"


# --------------------------------------------------------------------------------------------------------
# config, summary, settings


class Config(object):
    """`wandb.config`: attribute and item access over the trial's parameters.

    Keys set by the sweep win over defaults from `init(config=...)` and `update()`, as in a W&B sweep.
    """

    def __init__(self):
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_locked", set())

    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, value):
        self._set(key, value)

    def __delitem__(self, key):
        del self._items[key]

    def __contains__(self, key):
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __getattr__(self, key):
        items = object.__getattribute__(self, "_items")
        if key in items:
            return items[key]
        if key.startswith("__") and key.endswith("__"):
            raise AttributeError(key)
        raise AttributeError("wandb.config has no key %r (keys: %s)" % (key, ", ".join(sorted(items)) or "none"))

    def __setattr__(self, key, value):
        self._set(key, value)

    def __repr__(self):
        return "Config(%r)" % (self._items,)

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

    def update(self, values=None, allow_val_change=None, **kwargs):
        merged = dict(_as_mapping(values), **kwargs)
        for key, value in merged.items():
            self._set(key, value, bool(allow_val_change))

    def setdefaults(self, values):
        for key, value in _as_mapping(values).items():
            if key not in self._items:
                self._items[key] = value

    def persist(self):
        return None

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
    """A dict from a dict, an argparse.Namespace, a Config or None (what wandb.init(config=...) accepts)."""
    if values is None:
        return {}
    if isinstance(values, Config):
        return values.as_dict()
    if isinstance(values, dict):
        return values
    if hasattr(values, "keys") and hasattr(values, "__getitem__"):
        return {key: values[key] for key in values.keys()}
    if hasattr(values, "__dict__"):
        return dict(vars(values))
    raise TypeError("config must be a dict or an argparse.Namespace, got %r" % (values,))


class Summary(object):
    """`run.summary`: the last logged value of every key, overridden by explicit writes.

    As in W&B the summary is not part of the history: writing it never makes a step. When the run finishes,
    explicit writes and `define_metric(summary=...)` aggregates are sent once, and the summary's value of the
    sweep metric becomes the trial's objective, as a W&B run's summary does.
    """

    def __init__(self):
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_explicit", {})

    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, value):
        self._items[key] = value
        self._explicit[key] = value

    def __delitem__(self, key):
        self._items.pop(key, None)
        self._explicit.pop(key, None)

    def __getattr__(self, key):
        items = object.__getattribute__(self, "_items")
        if key in items:
            return items[key]
        raise AttributeError("run.summary has no key %r" % (key,))

    def __setattr__(self, key, value):
        self[key] = value

    def __contains__(self, key):
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return "Summary(%r)" % (self._items,)

    def get(self, key, default=None):
        return self._items.get(key, default)

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def update(self, values=None, **kwargs):
        for key, value in dict(values or {}, **kwargs).items():
            self[key] = value

    def _logged(self, row):
        # A later log() of a key replaces an explicit summary value, as in W&B.
        self._items.update(row)
        for key in row:
            self._explicit.pop(key, None)


class Settings(object):
    """`wandb.Settings(...)`: keeps what it is given; nothing here reads it."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __getattr__(self, key):
        if key.startswith("__") and key.endswith("__"):
            raise AttributeError(key)
        return None

    def update(self, settings=None, **kwargs):
        self.__dict__.update(dict(settings or {}, **kwargs))

    def __repr__(self):
        return "Settings(%s)" % ", ".join("%s=%r" % item for item in sorted(self.__dict__.items()))


# --------------------------------------------------------------------------------------------------------
# media, tables, plots, artifacts: accepted, dropped


class _Media(object):
    """Base of every media object: built from anything, logged as nothing (numbers alone reach the sweep)."""

    def __init__(self, *args, **kwargs):
        _debug_once(type(self).__name__, "wandb.%s values are not stored" % type(self).__name__)


class Image(_Media):
    pass


class Audio(_Media):
    pass


class Video(_Media):
    pass


class Html(_Media):
    pass


class Object3D(_Media):
    pass


class Molecule(_Media):
    pass


class Plotly(_Media):
    pass


class Histogram(_Media):
    pass


class Table(_Media):
    def __init__(self, columns=None, data=None, rows=None, dataframe=None, **kwargs):
        _Media.__init__(self)
        self.columns = list(columns or [])
        self.data = [list(row) for row in (data or rows or [])]

    def add_data(self, *row):
        self.data.append(list(row))

    def add_column(self, name, data, optional=False):
        self.columns.append(name)

    def get_column(self, name, convert_to=None):
        index = self.columns.index(name)
        return [row[index] for row in self.data if index < len(row)]


class _Plots(object):
    """`wandb.plot.line(...)`, `.scatter`, `.bar`, `.histogram`, `.confusion_matrix`, ...: dropped charts."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)

        def chart(*args, **kwargs):
            return Plotly()

        return chart


plot = _Plots()


class Artifact(object):
    """`wandb.Artifact`: files added to it stay where they are; logging it stores nothing."""

    def __init__(self, name, type, description=None, metadata=None, incremental=False, use_as=None, **kwargs):
        _debug_once("Artifact", "artifacts are not stored")
        self.name = name
        self.type = type
        self.description = description
        self.metadata = dict(metadata or {})
        self.aliases = []
        self.version = None
        self.files = []

    def add_file(self, local_path, name=None, **kwargs):
        self.files.append(local_path)
        return None

    def add_dir(self, local_path, name=None, **kwargs):
        self.files.append(local_path)
        return None

    def add_reference(self, uri, name=None, **kwargs):
        return None

    def add(self, obj, name, **kwargs):
        return None

    @contextlib.contextmanager
    def new_file(self, name, mode="x", encoding=None):
        folder = tempfile.mkdtemp(prefix="wandb-shim-artifact-")
        path = os.path.join(folder, os.path.basename(name))
        with open(path, mode.replace("x", "w"), encoding=encoding) as f:
            yield f
        self.files.append(path)

    def save(self, *args, **kwargs):
        return None

    def wait(self, timeout=None):
        return self

    def download(self, *args, **kwargs):
        raise UnsupportedError("Artifact.download() is not supported by sweep's W&B shim: artifacts live on the W&B server; read the files from disk instead (see %s)" % DOCS)

    def get(self, name):
        raise UnsupportedError("Artifact.get() is not supported by sweep's W&B shim: artifacts live on the W&B server (see %s)" % DOCS)

    def __repr__(self):
        return "Artifact(%r, type=%r)" % (self.name, self.type)


class AlertLevel(object):
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


def _is_media(value):
    if isinstance(value, (_Media, Artifact)):
        return True
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, _Media) for v in value):
        return True
    return False


# --------------------------------------------------------------------------------------------------------
# runs


class _Metric(object):
    """What define_metric() returns."""

    def __init__(self, name, summary=None, goal=None, step_metric=None):
        self.name = name
        self.summary = summary
        self.goal = goal
        self.step_metric = step_metric


class _Stats(object):
    __slots__ = ("first", "last", "min", "max", "total", "count")

    def __init__(self, value):
        self.first = self.last = self.min = self.max = self.total = value
        self.count = 1

    def add(self, value):
        self.last = value
        self.min = min(self.min, value)
        self.max = max(self.max, value)
        self.total += value
        self.count += 1


_AGGREGATES = ("min", "max", "mean", "last", "first", "best", "none")


class Run(object):
    def __init__(self, config, project, name, entity=None, settings=None, **kwargs):
        self.config = config
        self.summary = Summary()
        self.project = project or os.environ.get("WANDB_PROJECT") or "uncategorized"
        self.entity = entity or os.environ.get("WANDB_ENTITY")
        self.id = os.environ.get("SWEEP_TRIAL_ID") or kwargs.get("id") or "offline"
        self.name = name or ("trial-%s" % os.environ.get("SWEEP_TRIAL_NUMBER", "0"))
        self.sweep_id = os.environ.get("SWEEP_ID")
        self.dir = sweep_client.trial_dir() or os.getcwd()
        self.url = None
        self.notes = kwargs.get("notes")
        self.tags = tuple(kwargs.get("tags") or ())
        self.group = kwargs.get("group")
        self.job_type = kwargs.get("job_type")
        self.settings = settings if settings is not None else Settings()
        self.offline = True
        self.disabled = False
        self.resumed = sweep_client.is_resumed()
        self._step = 0  # W&B's row counter: the row the next log() goes to
        self._pending = {}
        self._finished = False
        self._stats = {}
        self._metrics = {}

    # names W&B scripts read
    @property
    def step(self):
        return self._step

    @property
    def display_name(self):
        return self.name

    @display_name.setter
    def display_name(self, value):
        self.name = value

    @property
    def path(self):
        return "/".join(str(part) for part in (self.entity or "offline", self.project, self.id))

    @property
    def mode(self):
        return "offline"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        raise UnsupportedError("run.%s is not supported by sweep's W&B shim: the offline shim supports only the calls listed there (see %s)" % (name, DOCS))

    def get_url(self):
        return None

    def get_project_url(self):
        return None

    def get_sweep_url(self):
        return None

    def save(self, glob_str=None, base_path=None, policy="live"):
        # `run.save()` without arguments (older W&B: persist a renamed run) and `run.save("*.pt")` alike.
        _debug_once("save", "run.save(%r): files are not uploaded" % (glob_str,))
        return True

    def log_code(self, root=".", name=None, include_fn=None, exclude_fn=None):
        _debug_once("log_code", "run.log_code(): code is not uploaded")
        return None

    def log_artifact(self, artifact_or_path, name=None, type=None, aliases=None, **kwargs):
        _debug_once("log_artifact", "log_artifact(): artifacts are not stored")
        if isinstance(artifact_or_path, Artifact):
            return artifact_or_path
        return Artifact(name or os.path.basename(str(artifact_or_path)), type or "unspecified")

    def use_artifact(self, artifact_or_name, type=None, aliases=None, **kwargs):
        if isinstance(artifact_or_name, Artifact):
            return artifact_or_name
        return Artifact(str(artifact_or_name), type or "unspecified")

    def link_artifact(self, *args, **kwargs):
        return None

    def log_model(self, path, name=None, aliases=None):
        _debug_once("log_model", "log_model(): models are not uploaded")
        return None

    def watch(self, *args, **kwargs):
        return None

    def unwatch(self, *args, **kwargs):
        return None

    def alert(self, title, text, level=None, wait_duration=None):
        _debug_once("alert", "alert(%r): alerts are not sent" % (title,))
        return None

    def mark_preempting(self):
        return None

    def status(self):
        return None

    def log(self, data, step=None, commit=None, sync=None):
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

    def define_metric(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None, overwrite=None, **kwargs):
        if summary is not None:
            options = [part.strip() for part in str(summary).split(",") if part.strip()]
            unknown = [part for part in options if part not in _AGGREGATES]
            if unknown:
                raise Error("define_metric(%r, summary=%r): expected one of %s" % (name, summary, ", ".join(_AGGREGATES)))
            if len(options) == 1:
                self._metrics[name] = (options[0], goal)
            else:
                # Several aggregates make the summary a dict in W&B; it then has no single value to compare.
                _debug_once("define_metric:" + name, "define_metric(%r, summary=%r): several aggregates; the trial's value stays its reported value" % (name, summary))
        return _Metric(name, summary, goal, step_metric)

    def finish(self, exit_code=None, quiet=None):
        if self._finished:
            return
        self._finished = True
        row, self._pending = self._pending, {}
        metrics = self._record(row) if row else {}
        step = self._step + 1
        if row:
            self._step += 1
        # One line: the last row (if still open) and the summary, so the controller learns that the run is over
        # together with its last values and never stops a run that has ended.
        _send(step if metrics else None, metrics, self._final_summary())

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.finish(exit_code=0 if exc_type is None else 1)
        return False

    def _commit(self):
        if not self._pending:
            return
        row, self._pending = self._pending, {}
        metrics = self._record(row)
        if metrics:
            # The protocol's step is W&B's row number + 1: a trainer logging once per epoch reports steps
            # 1, 2, 3, ..., so hyperband's min_iter counts logged rows as W&B's does.
            _send(self._step + 1, metrics, None)
        self._step += 1

    def _record(self, row):
        """Updates the summary and the aggregates with a closed row; returns its numeric values."""
        self.summary._logged(row)
        metrics = _numeric(row)
        for key, value in metrics.items():
            stats = self._stats.get(key)
            if stats is None:
                self._stats[key] = _Stats(value)
            else:
                stats.add(value)
        return metrics

    def _final_summary(self):
        """Explicit summary writes, and define_metric aggregates for keys not written explicitly."""
        out = {}
        for key, stats in self._stats.items():
            if key in self.summary._explicit:
                continue
            option = self._summary_option(key)
            if option is None or option[0] in ("last", "none"):
                continue
            aggregate, goal = option
            if aggregate == "best":
                aggregate = "max" if goal in ("maximize", "max") else "min"
            out[key] = {"min": stats.min, "max": stats.max, "first": stats.first, "mean": stats.total / stats.count}[aggregate]
        out.update(_numeric(self.summary._explicit, warn=False))
        return out

    def _summary_option(self, key):
        if key in self._metrics:
            return self._metrics[key]
        for pattern, option in self._metrics.items():
            if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
                return option
        return None


_warned_keys = set()
_RESERVED = ("step", "summary")


def _send(step, metrics, summary):
    """To the controller, through sweep_client (names the protocol reserves are kept out, with a warning)."""
    for name in _RESERVED:
        if name in metrics:
            metrics = dict(metrics)
            del metrics[name]
            if ("reserved", name) not in _warned_keys:
                _warned_keys.add(("reserved", name))
                _warn("a metric named %r cannot be reported (the sweep protocol uses the name); it does not reach the sweep" % name)
    if not metrics and summary is None:
        return
    if sweep_client.in_sweep():
        sweep_client._send(step if metrics else None, metrics, summary)


def _numeric(values, warn=True):
    """The numeric entries (ints, floats, numpy/torch scalars); media are dropped quietly, others with a warning."""
    out = {}
    for key, value in values.items():
        if hasattr(value, "item") and not isinstance(value, (int, float)):
            try:
                value = value.item()
            except (TypeError, ValueError):
                pass
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            out[key] = float(value) if not isinstance(value, int) else value
        elif _is_media(value):
            continue
        elif warn and key not in _warned_keys:
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


def init(project=None, entity=None, config=None, name=None, reinit=None, mode=None, settings=None, **kwargs):
    """Start the run: the sweep's parameters go into wandb.config, over `config` given here.

    Other W&B arguments (tags, notes, group, job_type, dir, id, resume, settings, ...) are accepted; there is
    no server to send them to.
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
    if kwargs.get("config_exclude_keys"):
        for key in kwargs["config_exclude_keys"]:
            fresh._items.pop(key, None)
    fresh._load_sweep(sweep_client.params())
    module.config = fresh
    run = Run(fresh, project, name, entity=entity, settings=settings, **kwargs)
    summary = run.summary
    if _mode() == "standalone":
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
    """Records `summary=` ("min", "max", "mean", "best" with goal, ...) for the run's summary; the rest is ignored."""
    if run is None:
        return _Metric(name, summary, goal, step_metric)
    return run.define_metric(name, step_metric=step_metric, summary=summary, goal=goal)


def login(*args, **kwargs):
    """Accepted and ignored: the shim needs no account."""
    return True


def watch(*args, **kwargs):
    """Accepted and ignored: gradients and parameters are not logged."""
    return None


def unwatch(*args, **kwargs):
    return None


def setup(*args, **kwargs):
    return None


def teardown(*args, **kwargs):
    return None


def mark_preempting():
    return None


def save(glob_str=None, base_path=None, policy="live"):
    _debug_once("save", "wandb.save(%r): files are not uploaded" % (glob_str,))
    return True


def alert(title, text, level=None, wait_duration=None):
    _debug_once("alert", "wandb.alert(%r): alerts are not sent" % (title,))
    return None


def log_artifact(artifact_or_path, name=None, type=None, aliases=None, **kwargs):
    if run is None:
        raise Error("You must call wandb.init() before wandb.log_artifact()")
    return run.log_artifact(artifact_or_path, name=name, type=type, aliases=aliases)


def use_artifact(artifact_or_name, type=None, aliases=None, **kwargs):
    if run is None:
        raise Error("You must call wandb.init() before wandb.use_artifact()")
    return run.use_artifact(artifact_or_name, type=type, aliases=aliases)


def log_model(path, name=None, aliases=None):
    _debug_once("log_model", "log_model(): models are not uploaded")
    return None


# --------------------------------------------------------------------------------------------------------
# wandb.sweep / wandb.agent: the controller's job, reached through `sweep wandb`


_NOT_UNDER_SWEEP_WANDB = "run the script with `sweep wandb -- python %s` (or give the sweep as a file to `sweep run`)"


def _script():
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "script.py"


class _Channel(object):
    """The driver's line of JSON requests and answers to `sweep wandb` (a unix socket named by SWEEP_WANDB_CONTROL)."""

    def __init__(self, path):
        import socket

        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.file = self.sock.makefile("rwb")

    def ask(self, message):
        self.file.write((json.dumps(message) + "\n").encode("utf-8"))
        self.file.flush()
        line = self.file.readline()
        if not line:
            raise Error("`sweep wandb` went away while this script waited for it")
        return json.loads(line.decode("utf-8"))


_channel = None
_trial_ran = False


def _ask(message):
    global _channel
    if _channel is None:
        _channel = _Channel(os.environ["SWEEP_WANDB_CONTROL"])
    # Ctrl-C belongs to `sweep wandb` while it runs trials (it stops them and answers); this process waits.
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:
        previous = None  # not the main thread
    try:
        reply = _channel.ask(message)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if not reply.get("ok"):
        # `sweep wandb` has printed the whole story (every invalid key, ...); end the script with its exit code.
        sys.stderr.flush()
        raise SystemExit(reply.get("exit_code", 1))
    return reply


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError("the sweep config holds %r, which is not JSON data" % (value,))


def sweep(sweep=None, entity=None, project=None, prior_runs=None):
    """Creates the sweep in `sweep wandb`'s storage (or finds the one this script created before) and returns its id.

    In a trial (the same script re-run by the controller) it returns the trial's sweep id at once.
    """
    if callable(sweep):
        sweep = sweep()
    if not isinstance(sweep, dict):
        raise TypeError("wandb.sweep() takes the sweep config as a dict, got %r" % (sweep,))
    mode = _mode()
    if mode == "trial":
        return os.environ["SWEEP_ID"]
    if mode == "standalone":
        raise UnsupportedError(("wandb.sweep() needs a sweep controller: " + _NOT_UNDER_SWEEP_WANDB + " (see %s)") % (_script(), DOCS))
    if prior_runs:
        _warn("wandb.sweep(prior_runs=...) is ignored: runs of W&B projects are not available offline")
    text = json.dumps(sweep, indent=2, default=_jsonable, allow_nan=True)
    reply = _ask({"op": "sweep", "config": text, "project": project, "entity": entity})
    return reply["id"]


def agent(sweep_id, function=None, entity=None, project=None, count=None):
    """Runs `count` trials of the sweep, each as a new process of this script that calls `function` once.

    In that trial process (the controller sets SWEEP_TRIAL_ID) the call runs `function` with the trial's
    wandb.config, finishes the run and exits: nothing after wandb.agent() runs in a trial.
    """
    if function is None:
        raise UnsupportedError(
            "wandb.agent() without function= is not supported by sweep's W&B shim: for a sweep that runs a program, "
            "use `sweep run FILE` or `sweep agent ID` (see %s)" % DOCS
        )
    if not callable(function):
        raise TypeError("wandb.agent(function=%r): expected a callable" % (function,))
    if count is not None and (isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1):
        raise ValueError("wandb.agent(count=%r): expected a whole number >= 1" % (count,))
    mode = _mode()
    if mode == "trial":
        _run_trial(function)
        return None
    if mode == "standalone":
        raise UnsupportedError(("wandb.agent() needs a sweep controller: " + _NOT_UNDER_SWEEP_WANDB + " (see %s)") % (_script(), DOCS))
    reply = _ask({"op": "agent", "sweep_id": str(sweep_id), "count": None if count is None else int(count)})
    if reply.get("stopped") == "interrupted":
        termlog("Ctrl + C detected. Stopping sweep.")
    elif reply.get("stopped") == "terminated":
        raise SystemExit(143)
    return None


def _run_trial(function):
    """One trial: `function()` once, the run finished, then the process ends with the function's outcome."""
    global _trial_ran
    if _trial_ran:
        return  # a second wandb.agent() call in a trial process: the trial has run
    _trial_ran = True
    code = 0
    try:
        function()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    if run is not None and not run._finished:
        run.finish(exit_code=code)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)


# --------------------------------------------------------------------------------------------------------
# everything else


_UNSUPPORTED_HINTS = {
    "Api": "the public API reads runs from the W&B server; read this sweep with `sweep show`, `sweep export` or `sweep best`",
    "restore": "files are restored from the W&B server",
    "controller": "the sweep controller is `sweep` itself",
    "use_model": "models are downloaded from the W&B server",
}


def __getattr__(name):
    # Dunder lookups (__path__, __spec__, ...) must stay ordinary AttributeErrors for the import system.
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    hint = _UNSUPPORTED_HINTS.get(name, "the offline shim supports only the calls listed there")
    raise UnsupportedError("wandb.%s is not supported by sweep's W&B shim: %s (see %s)" % (name, hint, DOCS))


@atexit.register
def _finish_at_exit():
    # W&B finishes an unfinished run at exit; so do we, so the last open row and the summary are not lost.
    if run is not None and not run._finished:
        run.finish()


from . import errors  # noqa: E402  (after Error is defined; wandb.errors.CommError and friends)
