"""Core metadata: PEP 658 files, range requests into real wheels, whole-file fallback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.indexserver import Fault, IndexServer
from tests.index.wheelkit import build_wheel
from tracker.errors import IndexUnavailable
from tracker.index import CoreMetadata, IndexFile, ProjectPage, PypiIndex, RetryPolicy
from tracker.index.metadata import parse_core_metadata

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "index"
SIX = "six-1.17.0-py2.py3-none-any.whl"
FT_CLASSIFIER = "Programming Language :: Python :: Free Threading :: 3 - Stable"


@pytest.fixture
def range_server() -> Iterator[IndexServer]:
    """An index that offers no .metadata files: metadata must come from the wheels."""
    with IndexServer(metadata_files=False) as server:
        yield server


def metadata_of(server: IndexServer, project: str, filename: str | None = None) -> CoreMetadata:
    async def go() -> CoreMetadata:
        retry = RetryPolicy(attempts=2, backoff=0.01)
        async with PypiIndex(server.index_url, retry=retry) as index:
            page = await index.fetch_project(project)
            assert isinstance(page, ProjectPage)
            file = page.files[0] if filename is None else _named(page, filename)
            return await index.fetch_metadata(file)

    return asyncio.run(go())


def _named(page: ProjectPage, filename: str) -> IndexFile:
    return next(f for f in page.files if f.filename == filename)


def wheel_requests(server: IndexServer, filename: str) -> list[tuple[str | None, int]]:
    return [
        (r.headers.get("range"), r.body_bytes)
        for r in server.requests
        if r.path == f"/files/{filename}"
    ]


def test_metadata_file_when_offered(index_server: IndexServer, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0")
    index_server.add_wheel_file(wheel)
    metadata = metadata_of(index_server, "demo")
    assert metadata.source == "metadata-file"
    assert metadata.name == "demo" and metadata.version == "1.0"
    assert metadata.requires_python == ">=3.13"
    assert metadata.requires_dist == ("numpy>=2.1", 'typing-extensions; python_version < "3.12"')
    assert metadata.free_threading == FT_CLASSIFIER
    assert index_server.requests_to(f"/files/{wheel.name}.metadata") == 1
    assert wheel_requests(index_server, wheel.name) == []  # the wheel itself was not touched


def test_range_requests_read_only_the_tail(range_server: IndexServer, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", padding=2_000_000)
    range_server.add_wheel_file(wheel)
    metadata = metadata_of(range_server, "demo")
    assert metadata.source == "range"
    assert metadata.free_threading == FT_CLASSIFIER
    assert metadata.requires_dist[0] == "numpy>=2.1"
    requests = wheel_requests(range_server, wheel.name)
    assert requests[0][0] == "bytes=-65536"
    assert all(r is not None for r, _ in requests)
    assert sum(size for _, size in requests) < 70_000 < wheel.stat().st_size
    assert range_server.requests_to(f"/files/{wheel.name}.metadata") == 0


def test_range_requests_reach_metadata_far_from_the_tail(
    range_server: IndexServer, tmp_path: Path
) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", padding=2_000_000, metadata_first=True)
    range_server.add_wheel_file(wheel)
    metadata = metadata_of(range_server, "demo")
    assert metadata.source == "range" and metadata.name == "demo"
    requests = wheel_requests(range_server, wheel.name)
    assert len(requests) == 2
    assert requests[1][0] is not None and requests[1][0].startswith("bytes=0-")
    assert sum(size for _, size in requests) < 70_000


def test_large_central_directory_is_fetched_in_pieces(
    range_server: IndexServer, tmp_path: Path
) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", extra_files=2000, metadata_first=True)
    range_server.add_wheel_file(wheel)
    metadata = metadata_of(range_server, "demo")
    assert metadata.source == "range" and metadata.version == "1.0"
    assert len(wheel_requests(range_server, wheel.name)) >= 3


def test_zip64_wheel(range_server: IndexServer, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", zip64=True)
    assert b"PK\x06\x06" in wheel.read_bytes()
    range_server.add_wheel_file(wheel)
    metadata = metadata_of(range_server, "demo")
    assert metadata.source == "range" and metadata.free_threading == FT_CLASSIFIER


def test_stored_metadata_member(range_server: IndexServer, tmp_path: Path) -> None:
    import zipfile

    wheel = build_wheel(tmp_path, "demo", "1.0", compression=zipfile.ZIP_STORED)
    range_server.add_wheel_file(wheel)
    assert metadata_of(range_server, "demo").name == "demo"


def test_real_wheel_both_ways_agree(index_server: IndexServer, range_server: IndexServer) -> None:
    for server in (index_server, range_server):
        server.add_wheel_file(ASSETS / "wheels" / SIX)
    via_file = metadata_of(index_server, "six")
    via_range = metadata_of(range_server, "six")
    assert (via_file.source, via_range.source) == ("metadata-file", "range")
    assert via_file.name == via_range.name == "six"
    assert via_file.version == via_range.version == "1.17.0"
    assert via_file.classifiers == via_range.classifiers
    assert "Programming Language :: Python :: 3" in via_range.classifiers
    assert via_range.requires_python == ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*"
    assert via_range.free_threading is None


def test_server_ignoring_range_gets_whole_file(tmp_path: Path) -> None:
    with IndexServer(metadata_files=False, ranges=False) as server:
        wheel = build_wheel(tmp_path, "demo", "1.0", padding=100_000)
        server.add_wheel_file(wheel)
        metadata = metadata_of(server, "demo")
        assert metadata.source == "download" and metadata.name == "demo"
        assert wheel_requests(server, wheel.name) == [("bytes=-65536", wheel.stat().st_size)]


def test_whole_file_fallback_is_capped(tmp_path: Path) -> None:
    with IndexServer(metadata_files=False, ranges=False) as server:
        server.add_wheel_file(build_wheel(tmp_path, "demo", "1.0", padding=300_000))

        async def go() -> CoreMetadata:
            async with PypiIndex(server.index_url, max_wheel_bytes=100_000) as index:
                page = await index.fetch_project("demo")
                assert isinstance(page, ProjectPage)
                return await index.fetch_metadata(page.files[0])

        with pytest.raises(IndexUnavailable, match="limit"):
            asyncio.run(go())


def test_advertised_metadata_missing_falls_back_to_range(
    index_server: IndexServer, tmp_path: Path
) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0")
    index_server.add_wheel_file(wheel)
    index_server.add_fault(f"/files/{wheel.name}.metadata", Fault("status", status=404))
    metadata = metadata_of(index_server, "demo")
    assert metadata.source == "range" and metadata.free_threading == FT_CLASSIFIER


def test_metadata_file_hash_mismatch(index_server: IndexServer, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0")
    index_server.add_wheel_file(wheel)
    index_server.add_fault(f"/files/{wheel.name}.metadata", Fault("truncate"))
    with pytest.raises(IndexUnavailable, match=r"sha256 of the \.metadata file"):
        metadata_of(index_server, "demo")


def test_sdist_without_metadata_file(range_server: IndexServer) -> None:
    range_server.add_file("demo", "demo-1.0.tar.gz", b"\x1f\x8b not really")
    with pytest.raises(IndexUnavailable, match="only wheels"):
        metadata_of(range_server, "demo")


@pytest.mark.parametrize(
    "data", [b"this is not a zip file at all" * 10, b"PK\x05\x06" + b"\xff" * 18]
)
def test_corrupt_wheel_is_an_index_error(range_server: IndexServer, data: bytes) -> None:
    range_server.add_file("demo", "demo-1.0-py3-none-any.whl", data)
    with pytest.raises(IndexUnavailable, match=r"demo-1\.0-py3-none-any\.whl"):
        metadata_of(range_server, "demo")


def test_wheel_without_metadata_member(range_server: IndexServer, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo/__init__.py", "")
    range_server.add_wheel_file(path)
    with pytest.raises(IndexUnavailable, match=r"no \.dist-info/METADATA"):
        metadata_of(range_server, "demo")


def test_parse_core_metadata_rejects_garbage() -> None:
    with pytest.raises(IndexUnavailable, match="not a core metadata file"):
        parse_core_metadata(b"\x00\x01binary", source="range", what="x")


def test_a_classifier_with_a_control_character_is_dropped() -> None:
    """A NUL in a stored classifier would make PostgreSQL refuse the whole project."""
    from tracker.index.metadata import parse_core_metadata

    prefix = b"Classifier: Programming Language :: Python :: Free Threading :: "
    data = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n" + prefix + b"3 - Stable\x00\n"
    assert parse_core_metadata(data, source="metadata-file").free_threading is None
    clean = parse_core_metadata(data.replace(b"\x00", b""), source="metadata-file")
    assert clean.free_threading is not None and clean.free_threading.endswith("3 - Stable")
