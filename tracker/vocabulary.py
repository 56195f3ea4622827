"""The verdict vocabulary: every status and every target, each described once.

A **status** (:class:`Status`) is a verdict on one (project, version, target,
platform). A **stress status** (:class:`StressStatus`, records in
:data:`STRESS_RECORDS`) is the second tier beside it: what running the
release's own tests in many threads found; it never changes the status.
Everything fttrack knows about a status is its record in
:data:`STATUS_RECORDS`: what it means, how bad it is, whether it blocks by
default, whether it implies a free-threaded wheel, whether the release ships
binary code, its short label, its colour key, whether it says the release is
safe without the GIL and whether one module's failed import decides it.
:data:`PALETTE` maps each colour key to what every front end draws with: a
terminal style (rich), a hex colour (chart, static site), a badge colour (a
shields.io name) and the colour of text drawn on the hex colour. A **target** is
a free-threaded CPython feature release; its record in :data:`TARGET_RECORDS`
gives its name, its Python version and whether probes run on it by default.

Every reader (documents, the audit, the crawler, the report, the chart, the
site, badges, the table format, ``fttrack probe``, the TUI, the API) takes its
statuses, orders, colours and targets from here: a new status is one member of
:class:`Status` and one record (plus the documentation); a new target is one
record (plus the interpreter's pin in :mod:`tracker.pythons.build`).

Orders and colours are looked up when something is drawn (a dictionary read), so
a status added at run time, as a test does, is drawn by every front end.

The module is on the ground floor and cheap to import: it imports nothing but
:mod:`enum` and :mod:`typing`.

>>> STATUS_RECORDS[Status.NO_FT_WHEEL].blocks, colour(Status.READY).badge
(True, 'brightgreen')
>>> [s.value for s in by_severity()][:2], TARGET_RECORDS[-1].name
(['gil-reenabled', 'crashed'], '3.15t')
"""

from __future__ import annotations

import enum
from typing import NamedTuple

__all__ = [
    "BINARY_STATUSES",
    "BLOCKING_STATUSES",
    "CHANGE_RECORDS",
    "CLAIM_RECORDS",
    "MODULE_FAILURE_STATUSES",
    "PALETTE",
    "SAFE_STATUSES",
    "STATUS_RECORDS",
    "STRESS_RECORDS",
    "TARGET_RECORDS",
    "WHEEL_STATUSES",
    "ChangeKind",
    "ChangeRecord",
    "ClaimFlag",
    "ClaimRecord",
    "Colour",
    "Status",
    "StatusRecord",
    "StressRecord",
    "StressStatus",
    "TargetRecord",
    "by_severity",
    "change_colour",
    "colour",
    "default_probe_targets",
    "default_stress_targets",
    "stress_colour",
]


class Status(enum.StrEnum):
    """A verdict for one (project, version, target, platform); see :data:`STATUS_RECORDS`."""

    READY = "ready"
    GIL_REENABLED = "gil-reenabled"
    IMPORT_FAILED = "import-failed"
    CRASHED = "crashed"
    TIMED_OUT = "timed-out"
    INSTALL_FAILED = "install-failed"
    WHEEL_ONLY = "wheel-only"
    PURE = "pure"
    NO_FT_WHEEL = "no-ft-wheel"
    SDIST_ONLY = "sdist-only"
    UNKNOWN = "unknown"

    @property
    def description(self) -> str:
        """One sentence saying what the status means."""
        return STATUS_RECORDS[self].description


class StatusRecord(NamedTuple):
    """Everything fttrack says about one status."""

    #: One sentence saying what the status means (the audit's detail, the TUI).
    description: str
    #: Severity: 0 is the worst; orders the audit's rows (worst first), the chart's
    #: segments and the site's legend (best first). Every status has its own rank.
    rank: int
    #: Whether it blocks a move to free-threading by default (``--fail-on``).
    blocks: bool
    #: Whether the release ships a free-threaded wheel for the target.
    ft_wheel: bool
    #: Whether the release ships binary code of its own for the target (the crawler
    #: probes pure releases that depend on such releases).
    binary: bool
    #: A label of at most 7 cells, for dense grids (the TUI).
    label: str
    #: A key of :data:`PALETTE`.
    colour: str
    #: Whether the verdict says the release runs with the GIL disabled: nothing to
    #: upgrade for (the audit looks for an upgrade past any other status, and past an
    #: inferred verdict of this one).
    safe: bool = False
    #: Whether one module's failed import decides it: a probe's status when an
    #: extension module's import outcome (:class:`tracker.models.ModuleOutcome`,
    #: spelled as the status) failed that way; the audit quotes that module.
    module_failure: bool = False


class Colour(NamedTuple):
    """One colour as every front end draws it."""

    #: A rich style (the CLI's tables, ``fttrack probe``, the TUI).
    terminal: str
    #: ``#rrggbb`` (the readiness chart, the static site).
    hex: str
    #: A shields.io named colour (badges; see :data:`tracker.badge_render.COLORS`).
    badge: str
    #: The colour of text drawn on :attr:`hex`.
    ink: str


PALETTE: dict[str, Colour] = {
    "green": Colour("bold green", "#2e7d32", "brightgreen", "#fff"),
    "light-green": Colour("green", "#81c784", "green", "#000"),
    "yellow": Colour("cyan", "#fdd835", "yellow", "#000"),
    "orange": Colour("bold red", "#fb8c00", "orange", "#000"),
    "red": Colour("red", "#e53935", "red", "#fff"),
    "dark-red": Colour("bold red", "#b71c1c", "red", "#fff"),
    "purple": Colour("red", "#8e24aa", "red", "#fff"),
    "pink": Colour("red", "#d81b60", "red", "#fff"),
    "blue-grey": Colour("yellow", "#90a4ae", "lightgrey", "#000"),
    "light-grey": Colour("yellow", "#cfd8dc", "lightgrey", "#000"),
    "pale-grey": Colour("dim", "#eeeeee", "lightgrey", "#000"),
}

_S = StatusRecord
STATUS_RECORDS: dict[Status, StatusRecord] = {
    Status.GIL_REENABLED: _S(
        "installs, but importing a module re-enables the GIL",
        0, blocks=True, ft_wheel=True, binary=True, label="GIL", colour="orange",
    ),
    Status.CRASHED: _S(
        "installs, but importing a module kills the interpreter",
        1, blocks=True, ft_wheel=True, binary=True, label="crash", colour="dark-red",
        module_failure=True,
    ),
    Status.IMPORT_FAILED: _S(
        "installs, but a module raises on import",
        2, blocks=True, ft_wheel=True, binary=True, label="import✗", colour="red",
        module_failure=True,
    ),
    Status.TIMED_OUT: _S(
        "installs, but importing a module hangs past the time limit",
        3, blocks=True, ft_wheel=True, binary=True, label="timeout", colour="purple",
        module_failure=True,
    ),
    Status.INSTALL_FAILED: _S(
        "no installable wheel for this target, or the install broke",
        4, blocks=True, ft_wheel=True, binary=False, label="instal✗", colour="pink",
    ),
    Status.NO_FT_WHEEL: _S(
        "binary wheels exist, none for this target",
        5, blocks=True, ft_wheel=False, binary=False, label="no-ft", colour="blue-grey",
    ),
    Status.SDIST_ONLY: _S(
        "no wheels at all, only a source distribution",
        6, blocks=True, ft_wheel=False, binary=False, label="sdist", colour="light-grey",
    ),
    Status.UNKNOWN: _S(
        "not tracked",
        7, blocks=False, ft_wheel=False, binary=False, label="?", colour="pale-grey",
    ),
    Status.WHEEL_ONLY: _S(
        "a free-threaded wheel exists, not probed yet",
        8, blocks=False, ft_wheel=True, binary=True, label="wheel", colour="yellow",
    ),
    Status.PURE: _S(
        "only pure-Python wheels: nothing of its own can re-enable the GIL",
        9, blocks=False, ft_wheel=False, binary=False, label="pure", colour="light-green",
        safe=True,
    ),
    Status.READY: _S(
        "installs and every extension module imports with the GIL still disabled",
        10, blocks=False, ft_wheel=True, binary=True, label="ready", colour="green",
        safe=True,
    ),
}  # fmt: skip
del _S

#: Statuses that block a move to free-threading by default (``--fail-on``).
BLOCKING_STATUSES = frozenset(s for s, r in STATUS_RECORDS.items() if r.blocks)
#: Statuses of a release that ships a free-threaded wheel for the target.
WHEEL_STATUSES = frozenset(s for s, r in STATUS_RECORDS.items() if r.ft_wheel)
#: Statuses of a release that ships binary code of its own for the target.
BINARY_STATUSES = frozenset(s for s, r in STATUS_RECORDS.items() if r.binary)
#: Statuses that say the release runs with the GIL disabled (nothing to upgrade for).
SAFE_STATUSES = frozenset(s for s, r in STATUS_RECORDS.items() if r.safe)
#: Statuses that one module's failed import decides (its outcome is spelled as the status).
MODULE_FAILURE_STATUSES = frozenset(s for s, r in STATUS_RECORDS.items() if r.module_failure)


def by_severity() -> tuple[Status, ...]:
    """Every status, worst first (``reversed`` gives best first)."""
    return tuple(sorted(STATUS_RECORDS, key=lambda s: STATUS_RECORDS[s].rank))


def colour(status: Status) -> Colour:
    """How ``status`` is drawn."""
    return PALETTE[STATUS_RECORDS[status].colour]


class StressStatus(enum.StrEnum):
    """What running a release's own tests in threads found; see :data:`STRESS_RECORDS`
    and docs/stress.md. A second tier beside :class:`Status`, which it never changes."""

    CRASHED = "crashed"
    DEADLOCKED = "deadlocked"
    RACES = "races"
    UNSAFE_TESTS = "unsafe-tests"
    PASSED = "passed"
    NO_TESTS = "no-tests"

    @property
    def description(self) -> str:
        """One sentence saying what the stress status means."""
        return STRESS_RECORDS[self].description


class StressRecord(NamedTuple):
    """Everything fttrack says about one stress status."""

    #: One sentence saying what it means (the audit's note, the TUI, docs/stress.md).
    description: str
    #: Severity: 0 is the worst (the order of the statuses in a result).
    rank: int
    #: Whether it fails ``fttrack audit --fail-on races`` (a free-threading bug found
    #: by the package's own tests); never a blocker by default.
    finding: bool
    #: A short label for dense places (the audit's note, the TUI).
    label: str
    #: A key of :data:`PALETTE`.
    colour: str


_R = StressRecord
STRESS_RECORDS: dict[StressStatus, StressRecord] = {
    StressStatus.CRASHED: _R(
        "its own tests crash the interpreter when run in threads without the GIL",
        0, finding=True, label="crash", colour="dark-red",
    ),
    StressStatus.DEADLOCKED: _R(
        "its own tests hang in threads without the GIL, and not with it",
        1, finding=True, label="hangs", colour="purple",
    ),
    StressStatus.RACES: _R(
        "its own tests fail in threads without the GIL but pass alone and with the GIL",
        2, finding=True, label="races", colour="orange",
    ),
    StressStatus.UNSAFE_TESTS: _R(
        "its own tests fail or hang in threads with the GIL on too: the tests are not thread-safe",
        3, finding=False, label="unsafe", colour="blue-grey",
    ),
    StressStatus.PASSED: _R(
        "its own tests pass in threads without the GIL",
        4, finding=False, label="passed", colour="green",
    ),
    StressStatus.NO_TESTS: _R(
        "no tests of its own to run (none in the wheel or the sdist)",
        5, finding=False, label="no tests", colour="pale-grey",
    ),
}  # fmt: skip
del _R


def stress_colour(status: StressStatus) -> Colour:
    """How a stress status is drawn."""
    return PALETTE[STRESS_RECORDS[status].colour]


class TargetRecord(NamedTuple):
    """One free-threaded CPython feature release fttrack judges."""

    #: The name used everywhere: ``3.14t``.
    name: str
    #: The Python feature version: ``3.14``.
    python: str
    #: Whether probes run on it unless told otherwise (``fttrack snapshot build``).
    probed_by_default: bool
    #: Whether the snapshot build runs releases' own tests in threads on it unless
    #: told otherwise (its stress phase): the newest stable feature release.
    stressed_by_default: bool = False


#: Every target, oldest first.
TARGET_RECORDS: tuple[TargetRecord, ...] = (
    TargetRecord("3.13t", "3.13", probed_by_default=True),
    TargetRecord("3.14t", "3.14", probed_by_default=True, stressed_by_default=True),
    TargetRecord("3.15t", "3.15", probed_by_default=True),
)


def default_probe_targets() -> tuple[str, ...]:
    """The names of the targets probed by default, oldest first."""
    return tuple(t.name for t in TARGET_RECORDS if t.probed_by_default)


def default_stress_targets() -> tuple[str, ...]:
    """The names of the targets the snapshot build stresses by default, oldest first."""
    return tuple(t.name for t in TARGET_RECORDS if t.stressed_by_default)


class ChangeKind(enum.StrEnum):
    """What changed on a target between two consecutive releases of a project; see
    :data:`CHANGE_RECORDS` and :mod:`tracker.documents.changes` (the rules)."""

    FIRST_FT_WHEEL = "first-ft-wheel"
    NOW_READY = "now-ready"
    FIXED = "fixed"
    REGRESSED = "regressed"
    TARGET_DROPPED = "target-dropped"
    RACES_FOUND = "races-found"
    RACES_FIXED = "races-fixed"

    @property
    def description(self) -> str:
        """One sentence saying what the change means."""
        return CHANGE_RECORDS[self].description


class ChangeRecord(NamedTuple):
    """Everything fttrack says about one kind of change."""

    #: One sentence saying what it means (the changes feed, the TUI, docs/api.md).
    description: str
    #: A short label (at most 9 cells) for dense places (the TUI, ``fttrack changes``).
    label: str
    #: A key of :data:`PALETTE`.
    colour: str
    #: Whether it is bad news for a user of the project (the feed's title says so).
    bad: bool


_C = ChangeRecord
CHANGE_RECORDS: dict[ChangeKind, ChangeRecord] = {
    ChangeKind.FIRST_FT_WHEEL: _C(
        "the first release with a free-threaded wheel for the target",
        "1st wheel", "yellow", bad=False,
    ),
    ChangeKind.NOW_READY: _C(
        "ready on the target, and the release before was not (untested or no wheel)",
        "now ready", "green", bad=False,
    ),
    ChangeKind.FIXED: _C(
        "ready on the target, and a probe had found the release before blocked",
        "fixed", "light-green", bad=False,
    ),
    ChangeKind.REGRESSED: _C(
        "ready before, now re-enables the GIL, fails to import, crashes or has no "
        "free-threaded wheel",
        "regressed", "orange", bad=True,
    ),
    ChangeKind.TARGET_DROPPED: _C(
        "a free-threaded wheel for the target before, binary wheels without one now",
        "dropped", "blue-grey", bad=True,
    ),
    ChangeKind.RACES_FOUND: _C(
        "its own tests found a free-threading bug that the release before did not have",
        "races", "red", bad=True,
    ),
    ChangeKind.RACES_FIXED: _C(
        "its own tests pass in threads again, where the release before found a bug",
        "races fix", "light-green", bad=False,
    ),
}  # fmt: skip
del _C


def change_colour(kind: ChangeKind) -> Colour:
    """How a kind of change is drawn."""
    return PALETTE[CHANGE_RECORDS[kind].colour]


class ClaimFlag(enum.StrEnum):
    """A maintainer's claim that a probe's evidence contradicts (or a claim missing where
    the evidence would back it); see :data:`CLAIM_RECORDS` and
    :mod:`tracker.documents.claims` (the rules)."""

    CLASSIFIER_OVERCLAIMS = "classifier-overclaims"
    WHEEL_UNDECLARED = "wheel-undeclared"
    CLASSIFIER_MISSING = "classifier-missing"

    @property
    def description(self) -> str:
        """One sentence saying what the mismatch means."""
        return CLAIM_RECORDS[self].description


class ClaimRecord(NamedTuple):
    """Everything fttrack says about one kind of claim mismatch."""

    #: One sentence saying what it means.
    description: str
    #: A short label for dense places.
    label: str
    #: Whether the evidence contradicts a claim (False: only a hint to the maintainer).
    contradiction: bool


CLAIM_RECORDS: dict[ClaimFlag, ClaimRecord] = {
    ClaimFlag.CLASSIFIER_OVERCLAIMS: ClaimRecord(
        "the Free Threading classifier claims support, but importing the release "
        "re-enables the GIL",
        "overclaims",
        contradiction=True,
    ),
    ClaimFlag.WHEEL_UNDECLARED: ClaimRecord(
        "a free-threaded wheel whose own extension modules do not declare Py_mod_gil "
        "(importing them re-enables the GIL)",
        "undeclared",
        contradiction=True,
    ),
    ClaimFlag.CLASSIFIER_MISSING: ClaimRecord(
        "the release is ready on the target but carries no Free Threading classifier "
        "(a hint for the maintainer)",
        "no classifier",
        contradiction=False,
    ),
}
