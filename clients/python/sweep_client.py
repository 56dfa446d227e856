"""Client for trainers run by `sweep` (standard library only; Python 3.8+).

The controller puts this folder on PYTHONPATH, so a trainer just does::

    from sweep_client import params, report, should_stop

    cfg = params()                      # {"lr": 0.001, "optimizer": {"momentum": 0.9}}
    for epoch in range(1, cfg["epochs"] + 1):
        ...
        report(epoch, val_loss=loss, val_acc=acc)
        if should_stop():               # pruned, timed out or Ctrl-C: save and leave
            save_checkpoint()
            break

Outside a sweep (no SWEEP_TRIAL_ID in the environment) `params()` returns {} and `report()` does nothing,
so the same script still runs on its own. The wire protocol is in docs/protocol.md.
"""

import json
import os
import signal
import sys
import threading

__all__ = ["params", "report", "finish", "should_stop", "request_stop", "in_sweep", "trial_dir", "is_resumed"]

_PREFIX = "@@sweep "
_lock = threading.Lock()
_stream = None
_stream_opened = False
_last_step = 0
_stop_requested = threading.Event()
_handler_installed = False


def in_sweep():
    """True when this process was started by a sweep controller."""
    return "SWEEP_TRIAL_ID" in os.environ


def params():
    """The trial's parameters as a nested dict (a copy; changing it changes nothing upstream)."""
    raw = os.environ.get("SWEEP_PARAMS")
    return json.loads(raw) if raw else {}


def trial_dir():
    """A directory kept across attempts of this trial, for checkpoints (None outside a sweep)."""
    return os.environ.get("SWEEP_TRIAL_DIR")


def is_resumed():
    """True on a later attempt of the same trial (a retry, or a re-run after `sweep resume`)."""
    return os.environ.get("SWEEP_RESUME") == "1"


def _metrics_stream():
    """The metrics pipe (fd SWEEP_METRICS_FD), or None to fall back to prefixed stdout lines."""
    global _stream, _stream_opened
    if not _stream_opened:
        _stream_opened = True
        fd = os.environ.get("SWEEP_METRICS_FD")
        if fd:
            try:
                _stream = os.fdopen(int(fd), "w", buffering=1, encoding="utf-8", closefd=False)
            except (OSError, ValueError):
                # fd closed by a wrapper script (or not inherited): the stdout fallback still works.
                _stream = None
    return _stream


def _number(name, value):
    """Plain ints/floats pass; numpy and torch scalars are unwrapped with .item(); anything else is an error."""
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("metric %r is %r; expected a number" % (name, value))
    return value


def report(step=None, **metrics):
    """Report one step's metrics, e.g. ``report(3, val_loss=0.41)``.

    ``step`` is a non-negative integer (epoch or global step); None means previous step + 1. NaN and
    infinities are sent as such: the controller decides (a NaN objective fails the trial).
    """
    if not in_sweep():
        return
    if not metrics:
        raise ValueError("report() needs at least one metric, e.g. report(1, loss=0.5)")
    _send(step, metrics, None)


def finish(summary=None, step=None, **metrics):
    """Say that the run is over, optionally with a last step's metrics and the run's summary.

    ``finish(summary={"val_loss": best})`` sends the summary: not a step (pruners never count it), and its
    value of the sweep metric becomes the trial's objective, as a W&B run's summary does. After it, the
    controller no longer stops the trial for pruning, so a run that has ended is recorded as completed.
    With metrics (``finish(5, summary=..., val_loss=0.4)``) the last step and the summary arrive together.
    """
    if not in_sweep():
        return
    _send(step, metrics, dict(summary or {}))


def _send(step, metrics, summary):
    global _last_step
    with _lock:
        payload = {}
        if metrics:
            if step is None:
                step = _last_step + 1
            if isinstance(step, bool) or not isinstance(step, int) or step < 0:
                raise ValueError("step is %r; expected a non-negative integer" % (step,))
            _last_step = step
            payload["step"] = step
            for name, value in metrics.items():
                payload[name] = _number(name, value)
        if summary is not None:
            payload["summary"] = {name: _number(name, value) for name, value in summary.items()}
        line = json.dumps(payload, allow_nan=True)
        stream = _metrics_stream()
        try:
            if stream is not None:
                stream.write(line + "\n")
                stream.flush()
                return
        except (BrokenPipeError, OSError):
            # The controller is gone; nothing useful can be done with the metric.
            return
        sys.stdout.write(_PREFIX + line + "\n")
        sys.stdout.flush()


def _on_sigterm(signum, frame):
    _stop_requested.set()


def should_stop():
    """True once the controller asked this trial to stop (pruned, timed out, interrupted).

    The first call installs a SIGTERM handler, so a trainer that polls should_stop() gets the grace
    period (SWEEP_GRACE_PERIOD seconds) to save and exit; one that never calls it keeps Python's default,
    dying at once on SIGTERM.
    """
    global _handler_installed
    if not _handler_installed and in_sweep():
        _handler_installed = True
        try:
            signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:
            # Not the main thread: signal handlers can only be set there. Stops then arrive as SIGTERM's
            # default action, as without the client.
            pass
    return _stop_requested.is_set()


def request_stop():
    """Make should_stop() true from inside the program (e.g. an early-stopping rule of its own)."""
    _stop_requested.set()
