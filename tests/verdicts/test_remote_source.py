"""The remote verdict source against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tracker.documents import decode_feed, encode, summarized, summary_feed
from tracker.errors import SourceError
from tracker.verdicts.interface import VerdictSource
from tracker.verdicts.remote import RemoteSource

from ..audit.helpers import run_cli

FEED = Path(__file__).resolve().parent.parent / "assets" / "feed-small.json"
# what a server answers: each stored document with its summary, and the summary feed
DOCS = {d.name: summarized(d) for d in decode_feed(FEED.read_bytes()).projects}
SUMMARY_FEED = summary_feed(
    [d.summary for d in DOCS.values() if d.summary is not None], generated="2026-11-25T00:00:00Z"
)


class _Handler(BaseHTTPRequestHandler):
    targets_route = True

    def do_GET(self) -> None:
        prefix = "/api/v1/projects/"
        if self.path.startswith(prefix) and self.path[len(prefix) :] in DOCS:
            self._send(200, encode(DOCS[self.path[len(prefix) :]]))
        elif self.path == "/api/v1/feed.json":
            self._send(200, encode(SUMMARY_FEED))
        elif self.path == "/api/v1/projects/garbled":
            self._send(200, {"name": "garbled", "releases": [{"version": 3}]})
        elif self.path == "/api/v1/projects/broken":
            self._send(500, {"detail": "boom"})
        elif self.path == "/api/v1/targets" and self.targets_route:
            self._send(200, {"targets": ["3.14t", "3.15t"]})
        else:
            self._send(404, {"detail": "not found"})

    def _send(self, code: int, body: object) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_fetches_documents_and_targets(server: str) -> None:
    source = RemoteSource(server + "/")
    assert isinstance(source, VerdictSource)
    assert source.project("numpy") == DOCS["numpy"]
    assert source.project("never-heard-of-it") is None
    assert source.summaries() == SUMMARY_FEED.projects
    assert source.probed_targets() == ("3.13t", "3.14t", "3.15t")
    assert source.targets() == ("3.14t", "3.15t")
    assert source.describe() == f"remote {server}"
    source.close()


def test_server_errors_are_source_errors(server: str) -> None:
    with pytest.raises(SourceError, match="HTTP 500"):
        RemoteSource(server).project("broken")
    with pytest.raises(SourceError, match=r"/api/v1/projects/garbled: .*releases\[0\]\.version"):
        RemoteSource(server).project("garbled")


def test_unreachable_server_is_one_clear_line() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceError) as caught:
        RemoteSource(f"http://127.0.0.1:{port}", timeout=2).project("six")
    assert str(caught.value).startswith(f"cannot reach fttrack server http://127.0.0.1:{port}")
    assert "\n" not in str(caught.value)


def test_audit_against_the_server(server: str) -> None:
    run = run_cli(
        ["audit", "-", "--server", server, "--format", "json", "--platform", "manylinux_x86_64"],
        stdin="numpy==2.4.6\nsix==1.17.0\n",
    )
    assert run.code == 1
    document = json.loads(run.stdout)
    assert document["target"] == "3.15t"
    assert document["source"] == f"remote {server}"
    assert document["dependencies"][0]["first_ready_version"] == "2.5.0"
