"""Write routes and slow clients, over raw sockets to a real ``fttrack serve`` on 127.0.0.1.

The token is checked before the body is read, bodies are limited in size, and a
request head dripped one byte at a time is cut off after the head deadline.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import fill
from tracker.api.guard import HEADER_SECONDS, MAX_BODY
from tracker.store import open_store

TOKEN = "slow-token"
FTTRACK = Path(sys.executable).with_name("fttrack")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``fttrack serve`` over a small filled database (no seeding), on loopback."""
    tmp = tmp_path_factory.mktemp("slow")
    db = f"sqlite:///{tmp / 'slow.db'}"
    store = open_store(db, seed=False)
    fill(store)
    store.close()
    port = _free_port()
    env = dict(os.environ, FTTRACK_API_TOKEN=TOKEN)
    env.pop("FTTRACK_DB", None)
    log = tmp / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(FTTRACK), "serve", "--db", db, "--no-crawl", "--probe-workers", "0",
             "--seed-top", "0", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _ask(address: tuple[str, int], head: bytes, body: bytes = b"", wait: float = 5.0) -> bytes:
    """Send ``head`` (and ``body``), then read until the server closes or ``wait`` passes."""
    with socket.create_connection(address, timeout=wait) as sock:
        sock.sendall(head + body)
        return _read_all(sock, wait)


def _read_all(sock: socket.socket, wait: float) -> bytes:
    received = b""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        received += chunk
    return received


def _post(path: str, length: int, token: str | None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{auth}Content-Length: {length}\r\n\r\n"
    ).encode()


def test_a_write_without_token_is_refused_before_its_body_is_read(
    server: tuple[str, int],
) -> None:
    began = time.monotonic()
    # 60 MB announced, none sent: the answer must not wait for the body
    answer = _ask(server, _post("/api/v1/watch", 60_000_000, None))
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"Bearer" in answer and time.monotonic() - began < 3
    wrong = _ask(server, _post("/api/v1/probe", 60_000_000, "nope"))
    assert wrong.startswith(b"HTTP/1.1 401"), wrong[:200]


def test_a_write_body_over_the_limit_is_refused(server: tuple[str, int]) -> None:
    answer = _ask(server, _post("/api/v1/watch", 60_000_000, TOKEN))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    chunked = (
        b"POST /api/v1/watch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    )
    piece = b"x" * 65536
    body = (b"%x\r\n%s\r\n" % (len(piece), piece)) * (MAX_BODY // len(piece) + 2) + b"0\r\n\r\n"
    answer = _ask(server, chunked, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    small = b'{"names": ["six"]}'
    answer = _ask(server, _post("/api/v1/watch", len(small), TOKEN), small)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_a_slow_body_times_out(server: tuple[str, int]) -> None:
    with socket.create_connection(server, timeout=20) as sock:
        sock.sendall(_post("/api/v1/watch", 100, TOKEN) + b'{"names"')
        began = time.monotonic()
        answer = _read_all(sock, 20)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - began < 15


def test_a_request_head_sent_one_byte_at_a_time_is_cut_off(server: tuple[str, int]) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 200
    began = time.monotonic()
    closed_after = None
    with socket.create_connection(server, timeout=1) as sock:
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
            except OSError:  # the server closed the connection
                closed_after = time.monotonic() - began
                break
            time.sleep(0.1)
            if time.monotonic() - began > HEADER_SECONDS + 10:
                break
        answer = _read_all(sock, 2)
    elapsed = closed_after or time.monotonic() - began
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert elapsed < HEADER_SECONDS + 5


def test_a_silent_connection_is_closed(server: tuple[str, int]) -> None:
    began = time.monotonic()
    with socket.create_connection(server, timeout=HEADER_SECONDS + 10) as sock:
        answer = _read_all(sock, HEADER_SECONDS + 10)
    assert time.monotonic() - began < HEADER_SECONDS + 5
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
