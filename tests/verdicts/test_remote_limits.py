"""A slow or oversized answer from ``--server``: one line within the deadline, the body
refused past its cap. The servers listen on 127.0.0.1, stop by themselves within
seconds, and every test is bounded in time."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tracker.errors import SourceError
from tracker.verdicts.remote import RemoteSource

from ..audit.helpers import run_cli

_Serve = Callable[[socket.socket], None]


@pytest.fixture()
def serve() -> Iterator[Callable[[_Serve], str]]:
    """Start a one-connection-at-a-time raw server on loopback running ``handler`` per
    connection; it stops when the test ends (and each handler within seconds)."""
    stop = threading.Event()
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(handler: _Serve) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.1)
        listeners.append(listener)

        def loop() -> None:
            while not stop.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                with connection:
                    connection.settimeout(5)
                    try:
                        connection.recv(65536)  # the request (one read is enough here)
                        handler(connection)
                    except OSError:
                        pass  # the client went away: what a refusal does

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    for listener in listeners:
        listener.close()


def _trickle_body(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    connection.sendall(b"Content-Length: 1000\r\n\r\n")
    for _ in range(16):  # one byte every 0.2 s: never a read timeout, 3.2 s at most
        connection.sendall(b" ")
        time.sleep(0.2)


def _trickle_headers(connection: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\n":  # one byte every 0.2 s: 3.4 s at most
        connection.sendall(bytes([byte]))
        time.sleep(0.2)


def _huge_body(connection: socket.socket, declared: bool) -> None:
    size = 1536 * 1024 * 1024  # 1.5 GB said or sent: the client stops long before
    length = f"Content-Length: {size}\r\n" if declared else "Connection: close\r\n"
    connection.sendall(f"HTTP/1.1 200 OK\r\n{length}\r\n".encode())
    chunk = b" " * (1024 * 1024)
    deadline = time.monotonic() + 10
    for _ in range(size // len(chunk)):
        if time.monotonic() > deadline:
            return
        connection.sendall(chunk)


@pytest.mark.parametrize("handler", [_trickle_body, _trickle_headers], ids=["body", "headers"])
def test_a_trickling_server_is_given_up_at_the_deadline(
    serve: Callable[[_Serve], str], handler: _Serve
) -> None:
    server = serve(handler)
    source = RemoteSource(server, timeout=5.0, deadline=1.0)
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        source.project("six")
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, elapsed
    assert str(caught.value) == (
        f"fttrack server {server} timed out (/api/v1/projects/six: no whole answer within 1 s)"
    )
    source.close()


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_huge_answer_is_refused_past_the_cap(
    serve: Callable[[_Serve], str], declared: bool
) -> None:
    server = serve(lambda connection: _huge_body(connection, declared))
    source = RemoteSource(server, deadline=20.0, max_bytes=4 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        source.summaries()
    assert time.monotonic() - started < 10
    assert str(caught.value) == (
        f"fttrack server {server}: /api/v1/feed.json: the answer is larger than 4 MiB"
    )
    source.close()


def test_the_audit_refuses_a_huge_answer_in_one_line(serve: Callable[[_Serve], str]) -> None:
    server = serve(lambda connection: _huge_body(connection, False))
    started = time.monotonic()
    run = run_cli(["audit", "-", "--server", server], stdin="six==1.17.0\n")
    assert time.monotonic() - started < 20
    assert run.code == 2, (run.code, run.stderr[-1000:])
    message = run.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert message.endswith("the answer is larger than 64 MiB"), message
    assert run.stdout == ""
