"""Request and response bodies of the HTTP API (they also make the OpenAPI schema).

Response documents are built by :mod:`tracker.feed` as plain dicts; these
models describe them for ``/openapi.json`` and for clients.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tracker.feed import TARGET_NAMES

__all__ = [
    "Accepted",
    "BadgeEndpoint",
    "CrawlRequest",
    "ErrorBody",
    "FeedDocument",
    "ProbeRequest",
    "ProjectDocument",
    "ProjectList",
    "ProjectName",
    "ProjectSummary",
    "ReleaseDetail",
    "StatusReport",
    "TargetName",
    "WatchRequest",
    "WatchResponse",
]

#: PEP 508 project names (what the write endpoints accept).
NAME_PATTERN = r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$"

ProjectName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=200)]


class TargetName(enum.StrEnum):
    """A free-threaded target (kept equal to ``tracker.feed.TARGET_NAMES``; a test checks)."""

    CP313T = "3.13t"
    CP314T = "3.14t"
    CP315T = "3.15t"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(_Model):
    """Every error answer (404, 401, 403, 503)."""

    error: str


class Culprit(_Model):
    """A module that re-enabled the GIL and the distribution that owns it."""

    module: str
    owner: str


class ModuleLine(_Model):
    """One imported module in a probe."""

    name: str
    outcome: str
    detail: str
    owner: str


class ProbeBlock(_Model):
    """What the probe behind a verdict recorded."""

    interpreter: str
    sandbox: str
    platform: str
    modules: list[ModuleLine]
    timings: dict[str, Any]
    stderr_tail: str
    detail: str


class TargetVerdict(_Model):
    """The verdict of one release on one target."""

    status: str
    evidence: str
    platforms: list[str]
    culprits: list[Culprit]
    probed_at: str | None
    probe: ProbeBlock | None


class ReleaseDocument(_Model):
    """One release with a verdict per target."""

    version: str
    yanked: bool
    uploaded: str | None
    targets: dict[str, TargetVerdict]


class ProjectDocument(_Model):
    """A project with every release, newest first."""

    name: str
    display_name: str
    classifier: str | None
    watch_reason: str | None
    releases: list[ReleaseDocument]
    first_ready: dict[str, str]


class FeedDocument(_Model):
    """The whole feed."""

    model_config = ConfigDict(extra="forbid")

    schema_: int = Field(alias="schema")
    generated: str
    targets: list[str]
    projects: list[ProjectDocument]


class FileDocument(_Model):
    """One distribution file of a release."""

    filename: str
    kind: str
    targets: list[str]
    platforms: list[str]
    pure: bool
    gil_only: bool
    abi3t: bool
    yanked: bool
    size: int | None
    uploaded: str | None


class ProbeRunDocument(_Model):
    """One probe run, with everything it recorded."""

    target: str
    platform: str
    status: str
    evidence: str
    culprits: list[Culprit]
    modules: list[dict[str, Any]]
    interpreter: str
    sandbox: str
    timings: dict[str, Any]
    stderr_tail: str
    detail: str
    installed: list[str]
    probed_at: str | None


class ReleaseDetail(_Model):
    """One release: files, the current verdict per target, and every probe run per target."""

    name: str
    display_name: str
    version: str
    yanked: bool
    uploaded: str | None
    files: list[FileDocument]
    targets: dict[str, TargetVerdict]
    history: dict[str, list[ProbeRunDocument]]


class SummaryVerdict(_Model):
    """Status and evidence of a project's current release on one target."""

    status: str
    evidence: str


class ProjectSummary(_Model):
    """A line of the project list."""

    name: str
    display_name: str
    classifier: str | None
    watch_reason: str | None
    version: str | None
    targets: dict[str, SummaryVerdict]
    first_ready: dict[str, str]


class ProjectList(_Model):
    """A page of projects."""

    total: int
    page: int
    per_page: int
    items: list[ProjectSummary]


class StatusReport(_Model):
    """Counts of projects per status and target (current releases)."""

    generated: str
    projects: int
    targets: dict[str, dict[str, int]]


class BadgeEndpoint(_Model):
    """The shields.io endpoint badge."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schemaVersion: int
    label: str
    message: str
    color: str
    cacheSeconds: int | None = None


class WatchRequest(_Model):
    """Projects to add to the watch list."""

    names: list[ProjectName] = Field(min_length=1, max_length=1000)


class WatchResponse(_Model):
    """Which names were new on the watch list and which were already there."""

    added: list[str]
    already: list[str]


class CrawlRequest(_Model):
    """Projects to crawl now; none or null means the whole watch list."""

    names: list[ProjectName] | None = Field(default=None, max_length=1000)


class ProbeRequest(_Model):
    """A probe to run: a project, a version (default: current release), targets (default: all)."""

    name: ProjectName
    version: str | None = Field(default=None, max_length=100)
    targets: list[TargetName] | None = Field(default=None, max_length=len(TARGET_NAMES))


class Accepted(_Model):
    """A request handed to the scheduler."""

    accepted: bool
    detail: str
