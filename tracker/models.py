"""Value types shared by every part of fttrack.

All are frozen structs (:class:`msgspec.Struct`: their methods are made in C when
the module loads, where a dataclass compiles each one) or string enums, so they can
be compared, hashed, and turned into JSON with :func:`to_jsonable`. The verdict vocabulary
(:class:`Status`, :data:`BLOCKING_STATUSES`, the targets) is defined in
:mod:`tracker.vocabulary` and re-exported here.
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec

from tracker.vocabulary import BLOCKING_STATUSES, TARGET_RECORDS, Status

__all__ = [
    "BLOCKING_STATUSES",
    "TARGETS",
    "Culprit",
    "Dependency",
    "Evidence",
    "ModuleOutcome",
    "ModuleResult",
    "ProbeJob",
    "ProbeResult",
    "SandboxReport",
    "Status",
    "Target",
    "get_target",
    "to_jsonable",
]


class Target(msgspec.Struct, frozen=True, order=True):
    """A free-threaded CPython feature release, e.g. ``3.14t``.

    >>> get_target("3.14t").abi_tag
    'cp314t'
    """

    major: int
    minor: int

    @property
    def name(self) -> str:
        """The short name used everywhere: ``3.14t``."""
        return f"{self.major}.{self.minor}t"

    @property
    def abi_tag(self) -> str:
        """The wheel ABI tag of this build: ``cp314t``."""
        return f"cp{self.major}{self.minor}t"

    def __str__(self) -> str:
        return self.name


#: Every target, oldest first (from :data:`tracker.vocabulary.TARGET_RECORDS`).
TARGETS: tuple[Target, ...] = tuple(
    Target(*(int(part) for part in record.python.split("."))) for record in TARGET_RECORDS
)


def get_target(name: str) -> Target:
    """Parse a target name such as ``3.14t`` (``3.14`` and ``cp314t`` are accepted too).

    >>> get_target("cp313t").name
    '3.13t'
    """
    text = name.strip().lower()
    if text.startswith("cp") and text.endswith("t") and text[2:-1].isdigit():
        text = f"{text[2]}.{text[3:-1]}t"
    text = text.removesuffix("t")
    for target in TARGETS:
        if text == f"{target.major}.{target.minor}":
            return target
    known = ", ".join(t.name for t in TARGETS)
    raise ValueError(f"unknown target {name!r} (known: {known})")


class Evidence(enum.StrEnum):
    """What a verdict stands on: an import in a sandbox, the files on the index, or
    the probe of a neighbouring release of the same project and target (``inferred``)."""

    PROBE = "probe"
    INFERRED = "inferred"
    TAGS = "tags"
    NONE = "none"


class ModuleOutcome(enum.StrEnum):
    """What happened when one module was imported."""

    OK = "ok"
    GIL_REENABLED = "gil-reenabled"
    IMPORT_FAILED = "import-failed"
    CRASHED = "crashed"
    TIMED_OUT = "timed-out"
    NOT_REACHED = "not-reached"


class ModuleResult(msgspec.Struct, frozen=True):
    """The outcome of importing one module inside the sandbox.

    ``optional`` modules (test suites shipped in the wheel, private top-level
    helper modules such as a pytest plugin) are imported and reported, but
    their outcome does not decide the package's status: a normal import of
    the package never loads them.
    """

    name: str
    outcome: ModuleOutcome
    detail: str = ""
    owner: str = ""
    extension: bool = True
    seconds: float = 0.0
    optional: bool = False


class Culprit(msgspec.Struct, frozen=True):
    """A module that re-enabled the GIL, and the distribution that shipped it."""

    module: str
    owner: str = ""


class SandboxReport(msgspec.Struct, frozen=True):
    """How one sandboxed process ended and what it used."""

    level: str
    returncode: int | None
    signal: int | None = None
    timed_out: bool = False
    oom_killed: bool = False
    cpu_limit_hit: bool = False
    max_rss_kib: int = 0
    user_seconds: float = 0.0
    system_seconds: float = 0.0
    wall_seconds: float = 0.0
    stderr_tail: str = ""


class ProbeResult(msgspec.Struct, frozen=True):
    """Everything one probe of (project, version, target, platform) found."""

    project: str
    version: str
    target: str
    platform: str
    status: Status
    culprits: tuple[Culprit, ...] = ()
    modules: tuple[ModuleResult, ...] = ()
    interpreter: str = ""
    sandbox: str = ""
    timings: dict[str, float] = msgspec.field(default_factory=dict)
    stderr_tail: str = ""
    detail: str = ""
    probed_at: str = ""
    installed: tuple[str, ...] = ()

    @property
    def evidence(self) -> Evidence:
        """Probes always stand on probe evidence."""
        return Evidence.PROBE


class ProbeJob(msgspec.Struct, frozen=True):
    """One unit of probe work: a release on a target."""

    project: str
    version: str
    target: str


class Dependency(msgspec.Struct, frozen=True):
    """One requirement read from a lockfile or requirements file."""

    name: str
    version: str | None = None
    specifier: str = ""
    markers: str = ""
    origin: str = ""
    skipped_reason: str = ""
    #: For a dependency found by resolving another one: the requirement that pulled it in.
    via: str = ""
    #: The files a lockfile lists for it (or the file a URL names): the last part of each
    #: URL or path, still percent-escaped (read only when needed).
    files: tuple[str, ...] = ()
    #: For a direct reference to one file (``name @ URL``): the URL, credentials redacted.
    direct_url: str = ""
    #: For a package of a lockfile's graph: the chains that bring it in, each from
    #: the package's parent up to the project (``("mkdocs 1.6.1", "demo[docs]")``).
    required_by: tuple[tuple[str, ...], ...] = ()


def to_jsonable(value: Any) -> Any:
    """Turn models (structs, dataclasses, enums, tuples) into plain JSON-ready values."""
    if isinstance(value, msgspec.Struct):
        return {name: to_jsonable(getattr(value, name)) for name in value.__struct_fields__}
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value
