"""PypiIndex against the loopback index: pages, negotiation, configuration, concurrency."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from testkit.indexserver import Fault, IndexServer
from tests.index.wheelkit import build_wheel
from tracker import __version__, config
from tracker.errors import IndexUnavailable, ProjectNotFound
from tracker.index import (
    USER_AGENT,
    FetchResult,
    Index,
    ProjectPage,
    PypiIndex,
    SyncPypiIndex,
    fetch_many,
)


def fetch(url: str, name: str, **options: object) -> FetchResult:
    async def go() -> FetchResult:
        async with PypiIndex(url, **options) as index:  # type: ignore[arg-type]
            return await index.fetch_project(name)

    return asyncio.run(go())


def test_json_page_from_real_and_built_wheels(index_server: IndexServer, tmp_path: Path) -> None:
    assets = Path(__file__).resolve().parent.parent / "assets" / "index"
    index_server.add_directory(assets / "wheels")
    index_server.add_wheel_file(build_wheel(tmp_path, "six", "1.99"), yanked="bad build")
    page = fetch(index_server.index_url, "Six")
    assert isinstance(page, ProjectPage)
    assert page.name == "six"
    assert page.versions == ("1.17.0", "1.99")
    assert page.etag is not None and page.last_serial == 1
    real = next(f for f in page.files if f.version == "1.17.0")
    assert real.size == (assets / "wheels" / real.filename).stat().st_size
    assert real.has_metadata and real.metadata_hashes
    assert real.url == index_server.file_url(real.filename)
    built = next(f for f in page.files if f.version == "1.99")
    assert built.yanked == "bad build"
    assert built.tags().targets == {"3.14t"}
    request = index_server.requests[-1]
    assert request.path == "/simple/six/"
    assert request.headers["user-agent"] == USER_AGENT
    assert f"fttrack/{__version__}" in USER_AGENT
    assert "application/vnd.pypi.simple.v1+json" in request.headers["accept"]


def test_recorded_page_served_and_parsed(index_server: IndexServer) -> None:
    assets = Path(__file__).resolve().parent.parent / "assets" / "index"
    index_server.add_recorded_page(assets / "numpy.json")
    page = fetch(index_server.index_url, "NumPy")
    assert isinstance(page, ProjectPage)
    assert page.last_serial == 42069282
    assert len(page.files) == 452


def test_html_fallback_when_index_answers_html(tmp_path: Path) -> None:
    with IndexServer(json_api=False) as server:
        server.add_wheel_file(build_wheel(tmp_path, "demo", "2.0"), yanked=True)
        server.add_file("demo", "demo-1.0.tar.gz", b"not really a tarball")
        page = fetch(server.index_url, "demo")
        assert isinstance(page, ProjectPage)
        assert server.requests[-1].headers["accept"].startswith("application/vnd.pypi.simple")
    assert page.versions == ("1.0", "2.0")
    wheel = next(f for f in page.files if f.is_wheel)
    assert wheel.yanked is True and wheel.has_metadata
    assert wheel.sha256 is not None
    assert page.last_serial == 1  # from the X-PyPI-Last-Serial header
    assert page.api_version == "1.1"


def test_unknown_project_is_project_not_found(index_server: IndexServer) -> None:
    with pytest.raises(ProjectNotFound, match="no-such-thing"):
        fetch(index_server.index_url, "No_Such.Thing")


def test_unexpected_content_type_is_index_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"%PDF", headers={"Content-Type": "application/pdf"})

    with pytest.raises(IndexUnavailable, match="unexpected content type"):
        fetch("http://index.invalid/simple/", "x", transport=httpx.MockTransport(handler))


def test_index_url_comes_from_configuration(
    index_server: IndexServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    index_server.add_wheel_file(build_wheel(tmp_path, "demo", "1.0"))
    monkeypatch.setenv("FTTRACK_INDEX_URL", index_server.index_url.rstrip("/"))
    monkeypatch.setenv("FTTRACK_CONFIG", "")
    config.resolve_index_url.cache_clear()
    try:
        with SyncPypiIndex() as index:
            assert index.index_url == index_server.index_url
            page = index.get_project("demo")
    finally:
        config.resolve_index_url.cache_clear()
    assert page.versions == ("1.0",)


def test_pypi_index_satisfies_protocol() -> None:
    async def go() -> bool:
        async with PypiIndex("http://index.invalid/simple/") as index:
            return isinstance(index, Index)

    assert asyncio.run(go())


def test_concurrency_is_bounded(index_server: IndexServer, tmp_path: Path) -> None:
    names = [f"proj{i}" for i in range(12)]
    for name in names:
        index_server.add_file(name, f"{name}-1.0.tar.gz", b"x")
        index_server.add_fault(f"/simple/{name}/", Fault("delay", seconds=0.15))

    async def go() -> dict[str, object]:
        async with PypiIndex(index_server.index_url, concurrency=3) as index:
            return dict(await fetch_many(index, [*names, "missing"]))

    started = time.monotonic()
    results = asyncio.run(go())
    elapsed = time.monotonic() - started
    assert index_server.max_in_flight == 3
    assert elapsed >= 0.15 * 4 * 0.9  # 12 delayed requests, 3 at a time
    assert all(isinstance(results[n], ProjectPage) for n in names)
    assert isinstance(results["missing"], ProjectNotFound)  # failures are values


def test_sync_wrapper_fetches_metadata(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_wheel_file(build_wheel(tmp_path, "demo", "1.0"))
    with SyncPypiIndex(index_server.index_url) as index:
        page = index.get_project("demo")
        metadata = index.fetch_metadata(page.files[0])
        again = index.fetch_many(["demo"], {"demo": (page.last_serial, None)})
    assert metadata.name == "demo"
    assert type(again["demo"]).__name__ == "Unchanged"
