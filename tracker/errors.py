"""One exception tree for fttrack.

Every error that fttrack raises on purpose derives from :class:`FttrackError`;
the CLI turns each into a one-line message and an exit code, never a traceback::

    FttrackError
    ├── ConfigError            a setting is missing or malformed
    ├── InputError             a user's file is unreadable or malformed (names file and line/key)
    ├── IndexUnavailable            the package index could not be reached or answered badly
    │   └── ProjectNotFound    the index has no such project
    ├── InterpreterError       no usable free-threaded interpreter, or installing one failed
    ├── SandboxUnavailable     no isolation mechanism works and unsafe mode was not requested
    ├── ProbeError             a probe could not run at all (not a verdict: verdicts are values)
    │   └── TransientProbeError    ... for a passing reason (index 429/5xx/timeout, uv away): retry
    ├── Cancelled              a run was cut short (fttrack shutting down): nothing recorded
    ├── StoreError             the database could not be opened or migrated
    └── SourceError            a verdict source (snapshot, database, server) is unusable

A probe that *ran* never raises: its failure modes (install failed, crash,
timeout) are verdicts. Likewise an audit dependency that cannot be judged is a
value (status ``unknown``), not an exception.
"""

from __future__ import annotations

__all__ = [
    "Cancelled",
    "ConfigError",
    "FttrackError",
    "IndexUnavailable",
    "InputError",
    "InterpreterError",
    "ProbeError",
    "ProjectNotFound",
    "SandboxUnavailable",
    "SourceError",
    "StoreError",
    "TransientProbeError",
]


class FttrackError(Exception):
    """Base of every error fttrack raises on purpose."""

    exit_code = 2


class ConfigError(FttrackError):
    """A setting is missing or malformed."""


class InputError(FttrackError):
    """A user-supplied file is unreadable or malformed.

    The message always names the file, and the line or key where known.
    """

    def __init__(self, path: str, message: str, *, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class IndexUnavailable(FttrackError):
    """The package index could not be reached, or answered with something unusable."""


class ProjectNotFound(IndexUnavailable):
    """The index has no project of that name."""


class InterpreterError(FttrackError):
    """No usable free-threaded interpreter, or installing one failed."""


class SandboxUnavailable(FttrackError):
    """No isolation mechanism works here and unsafe mode was not requested."""


class ProbeError(FttrackError):
    """A probe could not run at all (distinct from a negative verdict)."""


class TransientProbeError(ProbeError):
    """A probe could not run for a reason that may pass (the index answered 429/5xx or
    timed out, uv is missing or ``uv venv`` failed): retry later, store no verdict."""


class Cancelled(FttrackError):
    """A run was stopped part-way because fttrack is shutting down
    (:mod:`tracker.probe.cancel`): its processes were killed and nothing is recorded,
    so the job runs again later."""


class StoreError(FttrackError):
    """The database could not be opened, created or migrated."""


class SourceError(FttrackError):
    """A verdict source (snapshot, database, remote server) is unusable."""
