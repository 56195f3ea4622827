"""iter_project_documents: every project of a snapshot, a database and a server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tracker.errors import SourceError
from tracker.verdicts.listing import FEED_PATH, iter_project_documents
from tracker.verdicts.remote import RemoteSource
from tracker.verdicts.snapshot import SnapshotSource

FEED = Path(__file__).resolve().parents[1] / "assets" / "tui" / "feed.json"
NAMES = [p["name"] for p in json.loads(FEED.read_text())["projects"]]


def test_snapshot_lists_every_project_in_file_order() -> None:
    documents = list(iter_project_documents(SnapshotSource(FEED)))
    assert [d["name"] for d in documents] == NAMES
    assert all(isinstance(d["releases"], list) for d in documents)


def test_database_lists_the_feed_built_from_the_store(tmp_path: Path) -> None:
    from tracker.store import open_store
    from tracker.verdicts.database import DatabaseSource

    url = f"sqlite:///{tmp_path / 'fttrack.db'}"
    store = open_store(url, seed=False)
    try:
        store.import_feed(json.loads(FEED.read_text()))
    finally:
        store.close()
    source = DatabaseSource(url)
    try:
        documents = list(iter_project_documents(source))
    finally:
        source.close()
    assert sorted(d["name"] for d in documents) == sorted(NAMES)
    numpy = next(d for d in documents if d["name"] == "numpy")
    assert numpy["first_ready"]["3.15t"] == "2.5.0"


class _FeedHandler(BaseHTTPRequestHandler):
    body = FEED.read_bytes()

    def do_GET(self) -> None:
        if self.path == FEED_PATH:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)
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


def test_remote_lists_the_servers_feed(server: str) -> None:
    documents = list(iter_project_documents(RemoteSource(server)))
    assert [d["name"] for d in documents] == NAMES


def test_remote_without_a_feed_is_a_source_error(server: str) -> None:
    source = RemoteSource(server + "/elsewhere")
    with pytest.raises(SourceError, match="HTTP 404"):
        list(iter_project_documents(source))


def test_unreachable_server_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="cannot reach"):
        list(iter_project_documents(RemoteSource("http://127.0.0.1:9")))


def test_a_source_that_cannot_list_says_so() -> None:
    class Lookup:
        kind = "custom"

        def project(self, name: str) -> None:
            return None

        def targets(self) -> tuple[str, ...]:
            return ("3.14t",)

        def describe(self) -> str:
            return "custom lookup"

    with pytest.raises(SourceError, match="custom lookup: cannot list its projects"):
        list(iter_project_documents(Lookup()))
