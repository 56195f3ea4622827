"""The changes a snapshot carries (its changes member): written by every snapshot writer,
read instead of computed, and computed as before for a snapshot written without them."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from tracker import archive as archive_module
from tracker import changes_index as changes_index_module
from tracker.archive import Archive, index_path_for, write_archive
from tracker.changes_index import ChangeIndex
from tracker.datafiles import data_file
from tracker.documents import (
    DOCUMENT_SCHEMA,
    TARGET_NAMES,
    ProjectChanges,
    ProjectDocument,
    decode_feed,
    encode,
    probed_targets,
    project_changes,
    summarized,
)

SHIPPED = data_file("snapshot.json.gz")
SAMPLE = ("numpy", "lxml", "dbus-fast", "pandas", "arxiv", "aiokafka", "six")


@pytest.fixture(scope="module")
def shipped() -> Archive:
    return Archive(SHIPPED)


@pytest.fixture(scope="module")
def sample(shipped: Archive) -> list[ProjectDocument]:
    found = [shipped.document(name) for name in SAMPLE]
    return [d for d in found if d is not None]


@pytest.fixture
def no_computing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any computation of a project's changes by the changes index fails the test."""

    def refuse(document: ProjectDocument) -> ProjectChanges:
        raise AssertionError(f"the changes of {document.name} were computed")

    monkeypatch.setattr(changes_index_module, "project_changes", refuse)
    yield


def _write_old_layout(path: Path, documents: list[ProjectDocument]) -> None:
    """A snapshot as the writer made it before snapshots carried changes (no changes
    member, no ``changes`` in its index)."""
    spans: dict[str, list[int]] = {}
    summaries = []
    with path.open("wb") as handle:

        def member(data: bytes) -> list[int]:
            start = handle.tell()
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
            handle.write(compressor.compress(data) + compressor.flush())
            return [start, handle.tell() - start]

        member(
            b'{"schema":%d,"generated":null,"targets":%s,"projects":['
            % (DOCUMENT_SCHEMA, msgspec.json.encode(list(TARGET_NAMES)))
        )
        for number, document in enumerate(documents):
            document = summarized(document)
            assert document.summary is not None
            summaries.append(document.summary)
            spans[document.name] = member((b"," if number else b"") + encode(document))
        trailer = member(b'],"summaries":' + encode(summaries) + b"}")
        size = handle.tell()
    index = {
        "schema": DOCUMENT_SCHEMA,
        "size": size,
        "generated": None,
        "targets": list(TARGET_NAMES),
        "probed_targets": list(probed_targets(summaries)),
        "summaries": trailer,
        "projects": spans,
    }
    index_path_for(path).write_bytes(msgspec.json.encode(index))


def test_a_snapshot_written_with_changes_is_read_without_computing(
    tmp_path: Path, sample: list[ProjectDocument], no_computing: None
) -> None:
    path = tmp_path / "snapshot.json.gz"
    write_archive(path, sample, generated="2026-12-01T00:00:00Z")
    expected = [project_changes(d) for d in sample]  # the real function, not the patched one
    archive = Archive(path)
    assert archive.changes() == expected
    cache = tmp_path / "cache"
    index = ChangeIndex.from_archive(archive, cache)
    assert list(index.projects.values()) == expected
    assert index.changes == ChangeIndex(expected).changes and index.changes
    assert not cache.exists(), "nothing computed, nothing kept"
    kept = ChangeIndex.cached_for(Archive(path), cache)  # status's reader: no cache needed
    assert kept is not None and kept.etag == index.etag
    # read whole (no index beside it): the changes come from the same JSON
    index_path_for(path).unlink()
    whole = Archive(path)
    assert whole._spans is None and whole.changes() == expected
    assert ChangeIndex.from_archive(whole).etag == index.etag


def test_the_changes_member_keeps_the_file_one_gzip_json(
    tmp_path: Path, sample: list[ProjectDocument]
) -> None:
    path = tmp_path / "snapshot.json.gz"
    summaries = write_archive(path, sample, generated=None)
    plain = json.loads(gzip.decompress(path.read_bytes()))
    assert list(plain) == ["schema", "generated", "targets", "changes", "projects", "summaries"]
    assert [c["name"] for c in plain["changes"]] == [d.name for d in sample]
    feed = decode_feed(gzip.decompress(path.read_bytes()))
    assert [d.name for d in feed.projects] == list(SAMPLE) and feed.summaries == summaries
    index = json.loads(index_path_for(path).read_text())
    start, length = index["changes"]
    member = zlib.decompressobj(31).decompress(path.read_bytes()[start : start + length])
    assert json.loads(member) == plain["changes"]
    # the members of the projects and the trailer are read as a reader before changes did
    archive = Archive(path)
    assert archive.summaries() == summaries
    for document in sample:
        found = archive.document(document.name)
        assert found is not None and encode(found) == encode(document)


def test_an_old_snapshot_without_changes_has_them_computed(
    tmp_path: Path, sample: list[ProjectDocument]
) -> None:
    path = tmp_path / "old.json.gz"
    _write_old_layout(path, sample)
    expected = [project_changes(d) for d in sample]
    for indexed in (True, False):
        if not indexed:
            index_path_for(path).unlink()
        archive = Archive(path)
        assert (archive._spans is not None) is indexed
        assert archive.changes() is None
        assert list(ChangeIndex.from_archive(archive).projects.values()) == expected
        assert ChangeIndex.cached_for(archive, tmp_path / "cache") is None


def test_changes_of_another_schema_are_computed_again(
    tmp_path: Path, sample: list[ProjectDocument], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "snapshot.json.gz"
    write_archive(path, sample, generated=None)
    monkeypatch.setattr(archive_module, "CHANGES_SCHEMA", 99)  # the rules moved since
    archive = Archive(path)
    assert archive.changes() is None
    index = ChangeIndex.from_archive(archive)
    assert list(index.projects.values()) == [project_changes(d) for d in sample]


def test_claims_a_document_carries_are_read_back(
    tmp_path: Path, sample: list[ProjectDocument]
) -> None:
    """A store's documents carry their flagged claim checks: a member read lazily keeps them."""
    with_claims = [msgspec.structs.replace(d, claims=project_changes(d).claims) for d in sample]
    assert any(d.claims for d in with_claims)
    path = tmp_path / "snapshot.json.gz"
    write_archive(path, with_claims, generated=None)
    archive = Archive(path)
    for document in with_claims:
        found = archive.document(document.name)
        assert found is not None and found.claims == document.claims


def test_the_shipped_snapshot_carries_the_changes_it_would_compute(
    shipped: Archive, no_computing: None
) -> None:
    stored = shipped.changes()
    assert stored is not None, "data/snapshot.json.gz was written with its changes"
    assert [p.name for p in stored] == shipped.names()
    by_name = {p.name: p for p in stored}
    names = shipped.names()
    for name in sorted({*SAMPLE, *names[::250]}):  # 27 projects
        document = shipped.document(name)
        assert document is not None
        assert by_name[name] == project_changes(document)  # the real one (imported here)
    index = ChangeIndex.from_archive(shipped)  # no project_changes call: it would fail
    assert len(index.changes) == sum(len(p.changes) for p in stored) > 3000
