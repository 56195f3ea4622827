"""Turn what the sandboxed imports printed into module outcomes and one status.

>>> lines = ["#fttrack-start pkg", "# loading module 'pkg._bad', which requires the GIL"]
>>> gil_lines(lines)
[('pkg', 'pkg._bad')]
>>> overall_status([ModuleResult("a", ModuleOutcome.OK)], [Culprit("a", "a")])
<Status.GIL_REENABLED: 'gil-reenabled'>
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from tracker.models import Culprit, ModuleOutcome, ModuleResult, Status

__all__ = [
    "MAX_CLAIMS",
    "MAX_STDERR_LINES",
    "CrossCheck",
    "GilClaim",
    "GilReport",
    "cross_check",
    "gil_lines",
    "is_optional_module",
    "overall_status",
    "strip_verbose",
]

#: Bounds on what one sandboxed process's stderr can make the host do.
MAX_STDERR_LINES = 2_000_000
MAX_CLAIMS = 1_000
_MAX_NOTES = 5

_TEST_PARTS = frozenset({"test", "tests", "testing"})

_REQUIRES_GIL = re.compile(r"^# loading module '([^']+)', which requires the GIL")
_WARNING = re.compile(r"GIL\) has been enabled to load module '([^']+)'")
_START = "#fttrack-start "
_VERBOSE_PREFIXES = ("# ", "import ", "#fttrack-")

_SEVERITY = (
    (ModuleOutcome.CRASHED, Status.CRASHED),
    (ModuleOutcome.TIMED_OUT, Status.TIMED_OUT),
    (ModuleOutcome.IMPORT_FAILED, Status.IMPORT_FAILED),
)


def gil_lines(
    lines: Iterable[str], *, max_lines: int = MAX_STDERR_LINES, max_claims: int = MAX_CLAIMS
) -> list[tuple[str | None, str]]:
    """(module being imported, module that requires the GIL) for each report in stderr.

    Both the ``-v`` line and the one-time RuntimeWarning are recognised. Linear
    in the lines read, and bounded: at most ``max_lines`` lines are looked at and
    ``max_claims`` distinct pairs kept (stderr is the package's to flood).
    """
    current: str | None = None
    found: dict[tuple[str | None, str], None] = {}
    for line in itertools.islice(lines, max_lines):
        if line.startswith(_START):
            current = line[len(_START) :].strip()
            continue
        if "GIL" not in line:
            continue
        match = _REQUIRES_GIL.match(line) or _WARNING.search(line)
        if match and len(found) < max_claims:
            found.setdefault((current, match.group(1)))
    return list(found)


def strip_verbose(text: str) -> str:
    """Drop ``-v`` import chatter and our markers, keeping what a person wants to read."""
    kept = [line for line in text.splitlines() if not line.startswith(_VERBOSE_PREFIXES)]
    return "\n".join(kept)


def is_optional_module(name: str, *, extension: bool = True) -> bool:
    """Whether a normal import of the package never loads ``name``: a test module,
    or a private top-level Python module (``_hypothesis_pytestplugin``).

    >>> is_optional_module("greenlet.tests._test_extension")
    True
    >>> is_optional_module("numpy._core._multiarray_tests")
    True
    >>> is_optional_module("numpy._core._multiarray_umath")
    False
    >>> is_optional_module("_cffi_backend", extension=True)
    False
    """
    parts = name.split(".")
    if any(p in _TEST_PARTS or p.startswith("_test") or p.endswith("_tests") for p in parts):
        return True
    return len(parts) == 1 and name.startswith("_") and not extension


def overall_status(modules: Sequence[ModuleResult], culprits: Sequence[Culprit]) -> Status:
    """The package's status: the most severe outcome of a module that counts (not
    optional), else GIL re-enabled, else ready."""
    outcomes = {m.outcome for m in modules if not m.optional}
    for outcome, status in _SEVERITY:
        if outcome in outcomes:
            return status
    if culprits or ModuleOutcome.GIL_REENABLED in outcomes:
        return Status.GIL_REENABLED
    return Status.READY


@dataclass(frozen=True)
class GilReport:
    """The GIL state after importing ``module`` in process ``process``.

    ``gil`` is what the host read from the stopped process's memory (None: it
    could not read, ``unread`` says why); ``before`` what it read just before
    the import; ``reported`` what the child itself said (``sys._is_gil_enabled()``,
    which the package can replace: a cross-check only).
    """

    process: int
    module: str
    gil: bool | None
    ok: bool
    before: bool | None = None
    reported: bool | None = None
    unread: str = ""


@dataclass(frozen=True)
class GilClaim:
    """A ``-v`` line on stderr: importing ``trigger`` loaded ``module``, which requires the GIL."""

    process: int
    trigger: str | None
    module: str


@dataclass
class CrossCheck:
    """What stderr and the host's readings agree on, and where they disagree."""

    confirmed: list[tuple[str | None, str]] = field(default_factory=list)
    silent: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _state(gil: bool | None) -> str:
    return "enabled" if gil else "disabled"


def cross_check(
    reports: Sequence[GilReport],
    claims: Sequence[GilClaim],
    installed: Collection[str] | None = None,
) -> CrossCheck:
    """Compare the ``-v`` lines (which the package can print or silence) and the
    child's own report (which it can replace) with the GIL flag the host read.

    A claim counts only when the host read the GIL enabled after the import
    that printed it (a forged line does not). An import after which the host
    read the GIL enabled, with no claim printed during it, is ``silent``: the
    GIL was re-enabled and stderr named no module. Linear in its inputs.

    >>> forged = cross_check([GilReport(1, "a", False, True)], [GilClaim(1, "a", "a._x")])
    >>> forged.confirmed, forged.notes[0].startswith("stderr names a._x")
    ([], True)
    >>> cross_check([GilReport(1, "a", True, True)], []).silent
    {'a': 'the host read the GIL enabled after this import, but no module was named'}
    """
    by_import = {(r.process, r.module): r for r in reports}
    result = CrossCheck()
    confirmed: dict[tuple[str | None, str], None] = {}
    dropped = 0
    for claim in claims:
        report = by_import.get((claim.process, claim.trigger or ""))
        if installed is not None and claim.module not in installed:
            why = f"the host found no module {claim.module} among the installed files"
        elif report is not None and report.gil is True:
            confirmed.setdefault((claim.trigger, claim.module))
            continue
        elif report is None or report.gil is None:
            why = f"the host could not read the GIL after importing {claim.trigger}"
        else:
            why = f"the host read the GIL disabled after importing {claim.trigger}"
        dropped += 1
        if dropped <= _MAX_NOTES:
            result.notes.append(
                f"stderr names {claim.module} as requiring the GIL, but {why}: not counted"
            )
    if dropped > _MAX_NOTES:
        result.notes.append(f"{dropped - _MAX_NOTES} more GIL lines on stderr not counted")
    result.confirmed = list(confirmed)
    state: dict[int, bool] = {}
    explained = {(c.process, c.trigger) for c in claims if (c.trigger, c.module) in confirmed}
    for report in reports:
        if report.reported is not None and report.gil is not None and report.reported != report.gil:
            result.notes.append(
                f"the child reported the GIL {_state(report.reported)} after importing "
                f"{report.module}, but the host read the GIL {_state(report.gil)} "
                "(the host's reading counts)"
            )
        if report.gil is None:
            continue
        before = state.get(report.process, False) if report.before is None else report.before
        flipped = report.gil and not before
        if flipped and (report.process, report.module) not in explained:
            result.silent[report.module] = (
                "the host read the GIL enabled after this import, but no module was named"
            )
            result.notes.append(
                f"the host read the GIL enabled after importing {report.module}, "
                "but no module was named on stderr"
            )
        state[report.process] = report.gil
    return result
