"""What fttrack needs from a package index, as values and one protocol.

:class:`Index` is the seam: the crawler and the auditor depend on it, the
PyPI client (:mod:`tracker.index.pypi`) implements it, and tests may supply a
double. Every value is a frozen dataclass, so pages and files can be compared,
hashed and cached.

>>> f = IndexFile("six-1.17.0-py2.py3-none-any.whl", "https://files.index.invalid/six.whl")
>>> f.version, f.tags().pure, f.sha256
('1.17.0', True, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from tracker.wheels import FileTags, classify_file

__all__ = [
    "FREE_THREADING_CLASSIFIER_PREFIX",
    "CoreMetadata",
    "FetchResult",
    "Index",
    "IndexFile",
    "KnownState",
    "ProjectPage",
    "Unchanged",
]

#: Trove classifiers a maintainer uses to claim free-threading support.
FREE_THREADING_CLASSIFIER_PREFIX = "Programming Language :: Python :: Free Threading ::"


@dataclass(frozen=True)
class IndexFile:
    """One distribution file listed on a project page.

    ``version`` comes from the filename (via :func:`tracker.wheels.classify_file`),
    ``None`` when the filename cannot be parsed, or, when ``project`` (the canonical
    name of the page that lists the file) is known, when the file is not a release
    of that project: named for another one, or a legacy sdist whose name holds a
    version that is not PEP 440 (``pyvmomi-5.5.0-2014.1.1.tar.gz``). A legacy sdist
    name is read as pip reads it: ``selenium-2.0-dev-9429.tar.gz`` is ``2.0.dev9429``.
    ``yanked`` is ``False``, ``True``, or the yank reason. ``has_metadata`` is True
    when the index offers the core metadata as a separate ``.metadata`` file (PEP 658 /
    PEP 714).
    ``hashes`` and ``metadata_hashes`` are sorted ``(algorithm, hex digest)`` pairs.
    """

    filename: str
    url: str
    size: int | None = None
    upload_time: datetime | None = None
    yanked: bool | str = False
    requires_python: str | None = None
    has_metadata: bool = False
    hashes: tuple[tuple[str, str], ...] = ()
    metadata_hashes: tuple[tuple[str, str], ...] = ()
    project: str | None = None

    @property
    def version(self) -> str | None:
        """The release the file belongs to, from its name (normalised by packaging)."""
        return classify_file(self.filename, self.project).version

    @property
    def sha256(self) -> str | None:
        """The file's sha256 digest, when the index gave one."""
        return dict(self.hashes).get("sha256")

    @property
    def is_yanked(self) -> bool:
        """True when the file is yanked (with or without a reason)."""
        return self.yanked is not False

    @property
    def is_wheel(self) -> bool:
        """True for ``.whl`` files."""
        return self.filename.endswith(".whl")

    def tags(self) -> FileTags:
        """What this file offers free-threaded targets (see :mod:`tracker.wheels`)."""
        return classify_file(self.filename, self.project)


@dataclass(frozen=True)
class ProjectPage:
    """A project's page on the index: its versions and files.

    ``name`` is the normalised project name; ``last_serial`` the index's change
    counter for the project (``None`` when the index does not say);
    ``etag`` the validator for a conditional re-fetch (``None`` when not offered).
    """

    name: str
    last_serial: int | None
    versions: tuple[str, ...]
    files: tuple[IndexFile, ...]
    etag: str | None = None
    api_version: str | None = None

    def files_by_version(self) -> dict[str, tuple[IndexFile, ...]]:
        """Files grouped by the version in their filename (unparseable names dropped).

        Every entry of ``versions`` gets a key, possibly with no files.
        """
        grouped: dict[str, list[IndexFile]] = {v: [] for v in self.versions}
        for file in self.files:
            version = file.version
            if version is not None:
                grouped.setdefault(version, []).append(file)
        return {v: tuple(fs) for v, fs in grouped.items()}


@dataclass(frozen=True)
class Unchanged:
    """The project has not changed since the caller's ``known_serial`` / ``known_etag``."""

    name: str
    last_serial: int | None
    etag: str | None


FetchResult = ProjectPage | Unchanged


@dataclass(frozen=True)
class CoreMetadata:
    """The parts of a distribution's core metadata (``METADATA``) fttrack uses.

    ``free_threading`` is the maintainer's Free Threading trove classifier
    (e.g. ``Programming Language :: Python :: Free Threading :: 3 - Stable``) or
    ``None``. ``source`` says how it was obtained: ``"metadata-file"`` (PEP 658),
    ``"range"`` (HTTP range requests into the wheel) or ``"download"`` (whole file).
    """

    name: str | None
    version: str | None
    requires_python: str | None
    requires_dist: tuple[str, ...]
    classifiers: tuple[str, ...]
    source: str

    @property
    def free_threading(self) -> str | None:
        """The Free Threading trove classifier, if the maintainer declared one."""
        for classifier in self.classifiers:
            if classifier.startswith(FREE_THREADING_CLASSIFIER_PREFIX):
                return classifier
        return None


@runtime_checkable
class Index(Protocol):
    """A package index: project pages and per-file core metadata."""

    async def fetch_project(
        self,
        name: str,
        known_serial: int | None = None,
        known_etag: str | None = None,
    ) -> FetchResult:
        """The project's page, or :class:`Unchanged` when it matches what the caller knows.

        Raises :class:`tracker.errors.ProjectNotFound` for an unknown project and
        :class:`tracker.errors.IndexUnavailable` when the index cannot be used.
        """
        ...

    async def fetch_metadata(self, file: IndexFile) -> CoreMetadata:
        """Core metadata of one wheel (raises :class:`tracker.errors.IndexUnavailable`)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


#: What a caller knows about a project from an earlier crawl: ``(serial, etag)``.
KnownState = Mapping[str, tuple[int | None, str | None]]
