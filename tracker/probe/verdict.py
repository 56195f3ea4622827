"""Turn what the sandboxed imports printed into module outcomes and one status.

>>> lines = ["#fttrack-start pkg", "# loading module 'pkg._bad', which requires the GIL"]
>>> gil_lines(lines)
[('pkg', 'pkg._bad')]
>>> overall_status([ModuleResult("a", ModuleOutcome.OK)], [Culprit("a", "a")])
<Status.GIL_REENABLED: 'gil-reenabled'>
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracker.models import Culprit, ModuleOutcome, ModuleResult, Status

__all__ = [
    "CrossCheck",
    "GilClaim",
    "GilReport",
    "cross_check",
    "gil_lines",
    "is_optional_module",
    "overall_status",
    "strip_verbose",
]

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


def gil_lines(lines: Iterable[str]) -> list[tuple[str | None, str]]:
    """(module being imported, module that requires the GIL) for each report in stderr.

    Both the ``-v`` line and the one-time RuntimeWarning are recognised.
    """
    current: str | None = None
    found: list[tuple[str | None, str]] = []
    for line in lines:
        if line.startswith(_START):
            current = line[len(_START) :].strip()
            continue
        match = _REQUIRES_GIL.match(line) or _WARNING.search(line)
        if match and (current, match.group(1)) not in found:
            found.append((current, match.group(1)))
    return found


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
    """The interpreter's own word after importing ``module`` in process ``process``:
    ``sys._is_gil_enabled()`` as the child read it (None: no report)."""

    process: int
    module: str
    gil: bool | None
    ok: bool


@dataclass(frozen=True)
class GilClaim:
    """A ``-v`` line on stderr: importing ``trigger`` loaded ``module``, which requires the GIL."""

    process: int
    trigger: str | None
    module: str


@dataclass
class CrossCheck:
    """What stderr and the interpreter agree on, and where they disagree."""

    confirmed: list[tuple[str | None, str]] = field(default_factory=list)
    silent: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def cross_check(reports: Sequence[GilReport], claims: Sequence[GilClaim]) -> CrossCheck:
    """Compare the ``-v`` lines (which the package can print or silence) with the
    interpreter's own GIL state after each import.

    A claim is dropped when the import that printed it finished with the
    interpreter reporting the GIL still disabled (a forged line). An import
    after which the GIL became enabled, with no claim printed during it, is
    ``silent``: the GIL was re-enabled and stderr named no module.

    >>> forged = cross_check([GilReport(1, "a", False, True)], [GilClaim(1, "a", "a._x")])
    >>> forged.confirmed, forged.notes[0].startswith("stderr names a._x")
    ([], True)
    >>> cross_check([GilReport(1, "a", True, True)], []).silent
    {'a': 'the interpreter reports the GIL enabled after this import, but no module was named'}
    """
    by_import = {(r.process, r.module): r for r in reports}
    result = CrossCheck()
    for claim in claims:
        report = by_import.get((claim.process, claim.trigger or ""))
        if report is not None and report.ok and report.gil is False:
            result.notes.append(
                f"stderr names {claim.module} as requiring the GIL, but the interpreter "
                f"reports the GIL disabled after importing {claim.trigger}: not counted"
            )
        elif (claim.trigger, claim.module) not in result.confirmed:
            result.confirmed.append((claim.trigger, claim.module))
    state: dict[int, bool] = {}
    explained = {(c.process, c.trigger) for c in claims}
    for report in reports:
        if report.gil is None:
            continue
        flipped = report.gil and not state.get(report.process, False)
        if flipped and (report.process, report.module) not in explained:
            result.silent[report.module] = (
                "the interpreter reports the GIL enabled after this import, but no module was named"
            )
            result.notes.append(
                f"the interpreter reports the GIL enabled after importing {report.module}, "
                "but no module was named on stderr"
            )
        state[report.process] = report.gil
    return result
