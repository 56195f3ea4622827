"""summaries(): one line per project from a snapshot, a database and a server, never history."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tracker.documents import (
    FEED_SCHEMA,
    decode_feed,
    encode,
    summarize,
    summary_feed,
)
from tracker.errors import SourceError
from tracker.verdicts.remote import RemoteSource
from tracker.verdicts.snapshot import SnapshotSource

FEED = Path(__file__).resolve().parents[1] / "assets" / "tui" / "feed.json"
DOCUMENTS = decode_feed(FEED.read_bytes()).projects
NAMES = [d.name for d in DOCUMENTS]
SUMMARIES = [summarize(d) for d in DOCUMENTS]
FEED_PATH = "/api/v1/feed.json"


def test_snapshot_lists_every_project_in_file_order() -> None:
    source = SnapshotSource(FEED)
    summaries = source.summaries()
    assert [s.name for s in summaries] == NAMES
    assert summaries == SUMMARIES
    numpy = summaries[NAMES.index("numpy")]
    assert numpy.cell("3.15t").first_ready == "2.5.0"
    assert source.probed_targets() == ("3.13t", "3.14t", "3.15t")


def test_database_lists_the_summaries_stored_on_import(tmp_path: Path) -> None:
    from tracker.store import open_store
    from tracker.verdicts.database import DatabaseSource

    url = f"sqlite:///{tmp_path / 'fttrack.db'}"
    store = open_store(url, seed=False)
    try:
        store.import_feed(DOCUMENTS, generated="2026-11-25T00:00:00Z")
    finally:
        store.close()
    source = DatabaseSource(url)
    try:
        summaries = source.summaries()
    finally:
        source.close()
    assert [s.name for s in summaries] == sorted(NAMES)
    assert sorted(summaries, key=lambda s: s.name) == sorted(SUMMARIES, key=lambda s: s.name)


class _FeedHandler(BaseHTTPRequestHandler):
    body = encode(summary_feed(SUMMARIES, generated="2026-11-25T00:00:00Z"))
    old = b'{"schema":1,"projects":[]}'

    def do_GET(self) -> None:
        if self.path in (FEED_PATH, "/old" + FEED_PATH):
            body = self.body if self.path == FEED_PATH else self.old
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_remote_lists_the_servers_summary_feed(server: str) -> None:
    source = RemoteSource(server)
    try:
        summaries = source.summaries()
        assert [s.name for s in summaries] == sorted(NAMES)
        assert summaries == sorted(SUMMARIES, key=lambda s: s.name)
        assert source.probed_targets() == ("3.13t", "3.14t", "3.15t")
    finally:
        source.close()


def test_remote_with_another_feed_schema_says_so(server: str) -> None:
    with pytest.raises(SourceError, match=f"feed schema 1, this fttrack reads {FEED_SCHEMA}"):
        RemoteSource(server + "/old").summaries()


def test_remote_without_a_feed_is_a_source_error(server: str) -> None:
    source = RemoteSource(server + "/elsewhere")
    with pytest.raises(SourceError, match="HTTP 404"):
        source.summaries()


def test_unreachable_server_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="cannot reach"):
        RemoteSource("http://127.0.0.1:9").summaries()
