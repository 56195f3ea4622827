"""Request and response bodies of the HTTP API (they also make the OpenAPI schema).

Request bodies and small answers are pydantic models (FastAPI validates them).
Documents are the :mod:`tracker.documents` structs, and the few answers built
around them (:class:`ReleaseDetail`, :class:`ProjectList`, :class:`StatusReport`)
are msgspec structs here; :mod:`tracker.api.openapi` puts their JSON Schema
into ``/openapi.json``, so the schema is the shape the routes really send.
"""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tracker.api.validate import VERSION_PATTERN
from tracker.documents import TARGET_NAMES, ProjectSummary, ReleaseDetail
from tracker.vocabulary import TARGET_RECORDS

__all__ = [
    "RESPONSE_STRUCTS",
    "Accepted",
    "BadgeEndpoint",
    "CrawlRequest",
    "ErrorBody",
    "ProbeOrder",
    "ProjectList",
    "ProjectName",
    "StatusReport",
    "TargetName",
    "WatchRequest",
    "WatchResponse",
]

#: PEP 508 project names (what the write endpoints accept).
NAME_PATTERN = r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$"

ProjectName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=200)]


#: A free-threaded target: one member per record of :data:`tracker.vocabulary.TARGET_RECORDS`
#: (named ``CP314T`` for ``3.14t``).
TargetName = enum.StrEnum(  # type: ignore[misc]
    "TargetName",
    [(f"CP{t.python.replace('.', '')}T", t.name) for t in TARGET_RECORDS],
    module=__name__,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(_Model):
    """Every error answer (404, 401, 403, 503)."""

    error: str


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


class ProbeOrder(_Model):
    """A probe to run: a project, a version (default: current release), targets (default: all)."""

    name: ProjectName
    version: str | None = Field(default=None, max_length=100, pattern=VERSION_PATTERN)
    targets: list[TargetName] | None = Field(default=None, max_length=len(TARGET_NAMES))


class Accepted(_Model):
    """A request handed to the scheduler."""

    accepted: bool
    detail: str


class ProjectList(msgspec.Struct):
    """A page of project summaries."""

    total: int
    page: int
    per_page: int
    items: list[ProjectSummary]


class StatusReport(msgspec.Struct):
    """Counts of projects per status and target (current releases)."""

    generated: str
    projects: int
    targets: dict[str, dict[str, int]]


#: The msgspec structs the routes answer with, for the OpenAPI components.
RESPONSE_STRUCTS: tuple[type[msgspec.Struct], ...] = (ReleaseDetail, ProjectList, StatusReport)
