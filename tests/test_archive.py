"""The snapshot archive: summaries without history, index fallbacks, bounded decompression."""

from __future__ import annotations

import gzip
import json
import shutil
import struct
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tracker import archive as archive_module
from tracker.archive import (
    FILE_LIMIT,
    HEAD_RELEASES,
    MEMBER_LIMIT,
    Archive,
    index_path_for,
    write_archive,
)
from tracker.datafiles import data_file
from tracker.documents import (
    ProjectDocument,
    convert_document,
    decode_feed,
    summarize,
    summarized,
)
from tracker.errors import SourceError

SHIPPED = data_file("snapshot.json.gz")
SCHEMA_1 = Path(__file__).resolve().parent / "assets" / "feed-small.json"
SAMPLE = ("numpy", "lxml", "arxiv", "aiokafka", "six")


@pytest.fixture(scope="module")
def shipped() -> Archive:
    return Archive(SHIPPED)


def _copy(tmp_path: Path, *, index: bool) -> Path:
    path = tmp_path / "snapshot.json.gz"
    shutil.copyfile(SHIPPED, path)
    if index:
        shutil.copyfile(index_path_for(SHIPPED), index_path_for(path))
    return path


def _same_document(mine: ProjectDocument | None, theirs: ProjectDocument | None) -> None:
    assert mine is not None and theirs is not None
    assert mine.name == theirs.name
    assert list(mine.releases) == list(theirs.releases)
    assert mine.summary == theirs.summary


def test_index_path_sits_beside_the_snapshot() -> None:
    assert index_path_for(Path("/d/snapshot.json.gz")) == Path("/d/snapshot.index.json")
    assert index_path_for(Path("/d/feed.json")) == Path("/d/feed.index.json")


def test_summaries_are_read_without_decompressing_any_project(
    tmp_path: Path, shipped: Archive
) -> None:
    path = _copy(tmp_path, index=True)
    spans = json.loads(index_path_for(path).read_text())["projects"]
    data = bytearray(path.read_bytes())
    for start, length, *_ in spans.values():  # every project member destroyed, sizes kept
        data[start : start + length] = b"\0" * length
    path.write_bytes(bytes(data))
    archive = Archive(path)
    assert archive.summaries() == shipped.summaries()
    assert len(archive.summaries()) == 5000
    assert archive.names() == shipped.names()
    assert archive.probed_targets() == shipped.probed_targets() == ("3.13t", "3.14t", "3.15t")
    assert (archive.generated, archive.targets) == (shipped.generated, shipped.targets)
    with pytest.raises(SourceError, match=r"snapshot\.json\.gz: project 'numpy': corrupt gzip"):
        archive.document("numpy")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, shipped: Archive) -> Archive:
    """A snapshot of 55 real projects (every 40th of the shipped one, and SAMPLE)."""
    names = sorted({*shipped.names()[::40], *SAMPLE})
    path = tmp_path_factory.mktemp("sample") / "snapshot.json.gz"
    documents = [shipped.document(n) for n in names]
    write_archive(path, [d for d in documents if d], generated=shipped.generated)
    return Archive(path)


def test_members_are_read_through_one_handle_that_threads_share(
    sample: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {name: Archive(sample.path).document(name) for name in sample.names()}
    opened: list[Path] = []
    real_open = archive_module.open_regular  # type: ignore[attr-defined]

    def counting_open(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path == sample.path:
            opened.append(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(archive_module, "open_regular", counting_open)
    archive = Archive(sample.path)
    names = archive.names() * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(archive.document, names))
    for name, document in zip(names, found, strict=True):
        _same_document(document, expected[name])
    assert len(opened) == 1
    archive.close()
    archive.close()  # a second close does nothing
    fresh = Archive(sample.path)
    _same_document(fresh.document(names[0]), expected[names[0]])
    fresh.close()
    _same_document(fresh.document(names[1]), expected[names[1]])  # opened again
    assert len(opened) == 3
    fresh.close()


@pytest.mark.parametrize("index", ["missing", "stale", "garbage", "other schema"])
def test_a_missing_or_stale_index_falls_back_to_a_full_read(
    tmp_path: Path, sample: Archive, index: str
) -> None:
    path = tmp_path / "snapshot.json.gz"
    shutil.copyfile(sample.path, path)
    index_path = index_path_for(path)
    if index == "stale":  # the index of another snapshot written at the same place
        other = tmp_path / "other" / "snapshot.json.gz"
        write_archive(other, [ProjectDocument("six")], generated=None)
        shutil.copyfile(index_path_for(other), index_path)
    elif index == "garbage":
        index_path.write_text("{not json")
    elif index == "other schema":
        meta = json.loads(index_path_for(sample.path).read_text())
        index_path.write_text(json.dumps({**meta, "schema": 99}))
    archive = Archive(path)
    assert archive._spans is None, "the index was not trusted"
    assert sample._spans is not None
    assert archive.names() == sample.names()
    assert archive.summaries() == sample.summaries()
    assert archive.probed_targets() == sample.probed_targets()
    assert (archive.generated, archive.targets) == (sample.generated, sample.targets)
    for name in sample.names():
        _same_document(archive.document(name), sample.document(name))
    assert archive.document("not-there") is None


def test_write_archive_round_trips_with_its_index(tmp_path: Path, shipped: Archive) -> None:
    documents = [shipped.document(name) for name in SAMPLE]
    path = tmp_path / "out" / "snapshot.json.gz"
    summaries = write_archive(path, [d for d in documents if d], generated="2026-12-01T00:00:00Z")
    assert [s.name for s in summaries] == list(SAMPLE)
    index = json.loads(index_path_for(path).read_text())
    assert index["size"] == path.stat().st_size
    assert index["probed_targets"] == ["3.13t", "3.14t", "3.15t"]
    assert list(index["projects"]) == list(SAMPLE)
    archive = Archive(path)
    by_name = {s.name: s for s in shipped.summaries()}
    assert archive.summaries() == summaries == [by_name[n] for n in SAMPLE]
    for name in SAMPLE:
        _same_document(archive.document(name), shipped.document(name))
    plain = decode_feed(gzip.decompress(path.read_bytes()))  # one ordinary gzip JSON file
    assert [d.name for d in plain.projects] == list(SAMPLE)
    assert not list(tmp_path.glob("out/*.partial"))


def test_a_member_that_holds_another_project_is_refused(tmp_path: Path, shipped: Archive) -> None:
    path = _copy(tmp_path, index=True)
    index = json.loads(index_path_for(path).read_text())
    index["projects"]["numpy"], index["projects"]["six"] = (
        index["projects"]["six"],
        index["projects"]["numpy"],
    )
    index_path_for(path).write_text(json.dumps(index))
    with pytest.raises(SourceError, match="project 'numpy': the member holds 'six'"):
        Archive(path).document("numpy")


def test_schema_1_snapshots_still_load(tmp_path: Path) -> None:
    raw = json.loads(SCHEMA_1.read_text())
    assert raw["schema"] == 1
    expected = [convert_document(p) for p in raw["projects"]]
    packed = tmp_path / "old.json.gz"
    packed.write_bytes(gzip.compress(SCHEMA_1.read_bytes()))
    for path in (SCHEMA_1, packed):
        archive = Archive(path)
        assert archive.names() == [d.name for d in expected]
        assert archive.summaries() == [summarize(d) for d in expected]
        assert archive.generated == "2026-11-25T00:00:00Z"
        for document in expected:
            found = archive.document(document.name)
            assert found is not None and found.releases == document.releases
            assert found.summary == summarize(document)  # computed on load


def _gzip_bomb(path: Path, gib: int = 3) -> None:
    """A gzip file of ``gib`` GiB of zeros, compressed a chunk at a time (never held whole)."""
    chunk = bytes(64 * 2**20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    # a full flush ends on a byte boundary with no back references: the segment repeats
    segment = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    count = gib * 2**30 // len(chunk)
    crc = 0
    with path.open("wb") as handle:
        handle.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")
        for _ in range(count):
            handle.write(segment)
            crc = zlib.crc32(chunk, crc)
        handle.write(final + struct.pack("<II", crc, (count * len(chunk)) & 0xFFFFFFFF))


_READ_BOMB = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
from tracker.archive import Archive
from tracker.errors import SourceError
try:
    archive = Archive(Path(sys.argv[1]))
    archive.summaries() if sys.argv[3] == "summaries" else archive.document("bomb")
except SourceError as exc:
    print(exc)
"""


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "snapshot.json.gz"
    _gzip_bomb(path)
    assert path.stat().st_size < 8 * 2**20  # 3 GiB of zeros in a few MB
    return path


@pytest.mark.parametrize("via", ["full read", "summaries", "project"])
def test_a_gzip_bomb_is_a_one_line_source_error(bomb: Path, tmp_path: Path, via: str) -> None:
    path = tmp_path / "snapshot.json.gz"
    shutil.copyfile(bomb, path)
    limit = FILE_LIMIT
    if via != "full read":  # an index that points a member at the bomb
        limit = MEMBER_LIMIT
        size = path.stat().st_size
        index = {"schema": 2, "size": size, "summaries": [0, size], "projects": {"bomb": [0, size]}}
        index_path_for(path).write_text(json.dumps(index))
    # address space for the interpreter and the limit once: never a second copy of the output
    cap = 600 * 2**20 + limit
    run = subprocess.run(
        [sys.executable, "-c", _READ_BOMB, str(path), str(cap), via],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "MemoryError" not in run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"snapshot {path}")
    assert f"decompresses to more than {limit // 2**20} MiB" in lines[0]


def test_a_head_holds_the_summary_and_the_newest_releases() -> None:
    spans = json.loads(index_path_for(SHIPPED).read_text())["projects"]
    long_ones = [name for name, span in spans.items() if len(span) == 3]
    assert "boto3" in long_ones and "numpy" in long_ones
    heads, wholes = Archive(SHIPPED), Archive(SHIPPED)  # nothing read yet: no whole cached
    for name in [*long_ones[::40], "boto3", "numpy"]:
        head, whole = heads.document_head(name) or (None, None)
        full = wholes.document(name)
        assert head is not None and full is not None and whole is False
        assert head.summary == full.summary and head.summary is not None
        assert list(head.releases) == list(full.releases)[:HEAD_RELEASES], name
    for name, span in list(spans.items())[::97]:
        if len(span) == 2:  # a short history is read whole, and said to be
            found = Archive(SHIPPED).document_head(name)
            assert found is not None and found[1] is True
            assert len(found[0].releases) <= HEAD_RELEASES
    assert heads.document_head("no-such-project") is None


def test_a_head_is_found_only_where_a_history_is_longer_than_it(tmp_path: Path) -> None:
    from tracker.documents import ReleaseDocument

    def history(name: str, count: int) -> ProjectDocument:
        releases = [ReleaseDocument(f"1.{n}") for n in reversed(range(count))]
        return summarized(ProjectDocument(name, releases=releases))

    path = tmp_path / "s.json.gz"
    write_archive(
        path, [history("short", HEAD_RELEASES), history("long", HEAD_RELEASES + 1)], generated=None
    )
    spans = json.loads(index_path_for(path).read_text())["projects"]
    assert len(spans["short"]) == 2 and len(spans["long"]) == 3
    archive = Archive(path)
    head, whole = archive.document_head("long") or (None, None)
    assert head is not None and whole is False
    assert [r.version for r in head.releases] == [f"1.{n}" for n in range(16, 0, -1)]
    # a head length that runs past the member is a one-line error, not a wrong answer
    index = json.loads(index_path_for(path).read_text())
    index["projects"]["long"][2] = 10**6
    index_path_for(path).write_text(json.dumps(index))
    with pytest.raises(SourceError, match="shorter than its head"):
        Archive(path).document_head("long")
