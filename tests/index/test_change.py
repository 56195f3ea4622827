"""Change detection: ETag/304, the serial header, and the serial in the body (mirror style)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from testkit.indexserver import IndexServer
from tests.index.wheelkit import build_wheel
from tracker.index import FetchResult, KnownState, ProjectPage, PypiIndex, Unchanged, fetch_many
from tracker.index.pypi import ACCEPT

PATH = "/simple/demo/"


def fetch(server: IndexServer, serial: int | None = None, etag: str | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with PypiIndex(server.index_url) as index:
            return await index.fetch_project("demo", serial, etag)

    return asyncio.run(go())


def test_etag_gives_304_without_body(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_wheel_file(build_wheel(tmp_path, "demo", "1.0"))
    first = fetch(index_server)
    assert isinstance(first, ProjectPage) and first.etag
    index_server.clear_requests()
    second = fetch(index_server, etag=first.etag)
    assert isinstance(second, Unchanged)
    assert second.etag == first.etag
    [request] = index_server.requests
    assert request.headers["if-none-match"] == first.etag
    assert request.status == 304 and request.body_bytes == 0


def test_etag_changes_after_an_upload(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_wheel_file(build_wheel(tmp_path, "demo", "1.0"))
    first = fetch(index_server)
    assert isinstance(first, ProjectPage)
    index_server.add_wheel_file(build_wheel(tmp_path, "demo", "1.1"))
    index_server.bump("demo")
    second = fetch(index_server, first.last_serial, first.etag)
    assert isinstance(second, ProjectPage)
    assert second.versions == ("1.0", "1.1")
    assert second.last_serial == (first.last_serial or 0) + 1
    assert second.etag != first.etag


def test_serial_header_skips_the_body(tmp_path: Path) -> None:
    with IndexServer(etag=False) as server:
        server.add_wheel_file(build_wheel(tmp_path, "demo", "1.0"))
        first = fetch(server)
        assert isinstance(first, ProjectPage) and first.etag is None
        second = fetch(server, first.last_serial)
        assert isinstance(second, Unchanged) and second.last_serial == first.last_serial
        server.bump("demo")
        third = fetch(server, first.last_serial)
        assert isinstance(third, ProjectPage)
        assert third.last_serial == (first.last_serial or 0) + 1


def test_mirror_style_serial_string_in_body(mirror_server: IndexServer, tmp_path: Path) -> None:
    mirror_server.add_wheel_file(build_wheel(tmp_path, "demo", "1.0"))
    first = fetch(mirror_server)
    assert isinstance(first, ProjectPage)
    assert first.last_serial == 1 and first.etag is None
    assert mirror_server.requests[-1].headers.get("if-none-match") is None
    assert isinstance(fetch(mirror_server, first.last_serial), Unchanged)
    mirror_server.bump("demo")
    assert isinstance(fetch(mirror_server, first.last_serial), ProjectPage)


def test_second_crawl_fetches_no_bodies(index_server: IndexServer) -> None:
    names = [f"proj-{i}" for i in range(20)]
    for name in names:
        index_server.add_file(name, f"{name}-1.0.tar.gz", b"x" * 100)

    async def crawl(known: KnownState | None) -> dict[str, object]:
        async with PypiIndex(index_server.index_url, concurrency=4) as index:
            return dict(await fetch_many(index, names, known))

    first = asyncio.run(crawl(None))
    pages = {n: r for n, r in first.items() if isinstance(r, ProjectPage)}
    assert len(pages) == len(names)
    first_bytes = index_server.body_bytes_sent()
    assert first_bytes > 0
    index_server.clear_requests()
    index_server.bump("proj-3")
    known = {n: (p.last_serial, p.etag) for n, p in pages.items()}
    second = asyncio.run(crawl(known))
    changed = [n for n, r in second.items() if isinstance(r, ProjectPage)]
    assert changed == ["proj-3"]
    assert all(isinstance(second[n], Unchanged) for n in names if n != "proj-3")
    statuses = sorted(r.status for r in index_server.requests)
    assert statuses == [200] + [304] * 19
    assert index_server.body_bytes_sent() < first_bytes / 10
    assert all(r.headers["accept"] == ACCEPT for r in index_server.requests)
