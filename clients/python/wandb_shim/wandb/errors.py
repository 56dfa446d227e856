"""`wandb.errors`: the exception classes W&B scripts catch. Nothing in the offline shim raises the
communication errors; they exist so `except wandb.errors.CommError:` keeps working."""

from . import Error, UnsupportedError  # noqa: F401  (re-exported)


class CommError(Error):
    """Communication with the W&B server failed (never raised offline)."""


class UsageError(Error):
    """A call was used the wrong way."""


class AuthenticationError(CommError):
    """Login failed (never raised offline)."""
