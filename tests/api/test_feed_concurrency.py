"""The feed and badges while the store is written: readers never wait for a writer,
and a write shows once ``recheck_seconds`` have passed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.api.conftest import TestClient, fill
from tests.store.helpers import T0, probe
from tracker.api import create_app
from tracker.api.state import AppState
from tracker.documents import decode_summary_feed
from tracker.models import Status
from tracker.store import Store, open_store, queries

# Generous bounds for a busy machine: they only turn a hang into a failure.
HANG = 60.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A SQLite store (WAL) with numpy gil-reenabled on 3.14t, six and legacy-pkg."""
    opened = open_store(f"sqlite:///{tmp_path / 'feed.db'}", seed=False)
    fill(opened)
    yield opened
    opened.close()


def _in_thread(call: Callable[[], Any]) -> Any:
    """``call()`` in another thread; fails the test if it does not return within HANG."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), "the request waited for the writer"
    if errors:
        raise errors[0]
    return result[0]


class HeldWrite:
    """A write transaction (a probe: numpy ready on 3.14t) held open in another thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.holding = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.store.session_scope(write=True) as session:
            newer = probe(status=Status.READY, at=T0 + timedelta(days=41))
            assert queries.record_probe(newer, session=session)
            self.holding.set()
            self.release.wait(HANG)

    def __enter__(self) -> HeldWrite:
        self.thread.start()
        assert self.holding.wait(HANG)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.thread.join(HANG)


def numpy_status(client: TestClient) -> str:
    response = client.get("/api/v1/feed.json")
    assert response.status_code == 200
    feed = decode_summary_feed(response.content)
    (numpy,) = [s for s in feed.projects if s.name == "numpy"]
    return numpy.cell("3.14t").status.value


def test_feed_answers_while_a_write_transaction_is_open(store: Store) -> None:
    client = TestClient(create_app(store, recheck_seconds=0))  # every request asks the DB
    assert numpy_status(client) == "gil-reenabled"
    with HeldWrite(store):
        # the feed is rebuilt from the database while the writer holds its lock
        assert _in_thread(lambda: numpy_status(client)) == "gil-reenabled"  # not committed
        badge = _in_thread(lambda: client.get("/badges/numpy.json?target=3.14t"))
        assert badge.json()["message"] == "gil-reenabled"
    assert numpy_status(client) == "ready"  # committed: the next request sees it


def test_first_feed_request_during_a_write_answers(store: Store) -> None:
    """A new app (empty cache) asked for the feed while a writer holds the database."""
    client = TestClient(create_app(store, recheck_seconds=1.0))
    with HeldWrite(store):
        assert _in_thread(lambda: numpy_status(client)) == "gil-reenabled"


def test_badge_shows_a_write_after_recheck_seconds(store: Store) -> None:
    recheck = 0.3
    client = TestClient(create_app(store, recheck_seconds=recheck))
    url = "/badges/numpy.json?target=3.14t"
    assert client.get(url).json()["message"] == "gil-reenabled"
    svg = client.get("/badges/numpy.svg")  # the default target: the newest probed one
    assert "gil-reenabled" in svg.text and "3.14t" in svg.text
    assert store.record_probe(probe(status=Status.READY, at=T0 + timedelta(days=41)))
    time.sleep(recheck * 1.5)  # past the window: the next request asks the database
    assert client.get(url).json()["message"] == "ready"
    assert "ready" in client.get("/badges/numpy.svg").text


def test_badge_does_not_wait_for_another_threads_refresh(store: Store) -> None:
    """While one thread holds the cache (refreshing it), badges answer from memory."""
    app: FastAPI = create_app(store, recheck_seconds=0)
    client = TestClient(app)
    assert client.get("/badges/six.json?target=3.14t").json()["message"] == "pure"
    state = app.state.fttrack
    assert isinstance(state, AppState)
    with state.cache._lock:  # as a refresh in a worker thread would
        response = _in_thread(lambda: client.get("/badges/six.json?target=3.14t"))
        assert response.status_code == 200 and response.json()["message"] == "pure"
        grey = _in_thread(lambda: client.get("/badges/not-tracked.svg"))
        assert grey.status_code == 200 and "not tracked" in grey.text


@pytest.mark.parametrize("kind", ["json", "svg"])
@pytest.mark.parametrize("query", ["", "?target=3.13t", "?target=3.15t"])
def test_fast_path_answers_as_the_route_does(store: Store, kind: str, query: str) -> None:
    """``?x=1`` is not a query the fast path knows: the route answers it, the same way."""
    client = TestClient(create_app(store))
    for name in ("numpy", "NumPy", "legacy_pkg", "not-tracked"):
        fast = client.get(f"/badges/{name}.{kind}{query}")
        routed = client.get(f"/badges/{name}.{kind}{query or '?'}&x=1")
        assert fast.status_code == routed.status_code == 200
        assert fast.content == routed.content
        shown = ("content-type", "content-length", "cache-control")
        assert {h: fast.headers[h] for h in shown} == {h: routed.headers[h] for h in shown}
        head = client.head(f"/badges/{name}.{kind}{query}")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == fast.headers["content-length"]


def test_an_unknown_target_is_a_grey_badge_on_the_fast_path_too(store: Store) -> None:
    client = TestClient(create_app(store))
    response = client.get("/badges/numpy.svg?target=3.12t")
    assert response.status_code == 200 and response.text.startswith("<svg")
    assert "unknown target" in response.text


def test_first_badges_wait_for_the_first_check(store: Store) -> None:
    """Nothing in memory yet: a badge waits for the database rather than answering grey."""
    app: FastAPI = create_app(store, recheck_seconds=0)
    client = TestClient(app)
    state = app.state.fttrack
    assert isinstance(state, AppState)
    answers: list[str] = []
    with state.cache._lock:  # the first check is under way in another thread
        thread = threading.Thread(
            target=lambda: answers.append(
                client.get("/badges/six.json?target=3.14t").json()["message"]
            ),
            daemon=True,
        )
        thread.start()
        thread.join(0.5)
    thread.join(HANG)
    assert answers == ["pure"]


def test_badges_stay_tracked_when_seeding_ends(store: Store, tmp_path: Path) -> None:
    """After serving from a snapshot, its summaries answer until the database's replace them."""
    from tracker.archive import Archive, write_archive

    snapshot = tmp_path / "snapshot.json.gz"
    write_archive(snapshot, store.documents(), generated="2026-12-01T00:00:00Z")
    app: FastAPI = create_app(store, recheck_seconds=0)
    client = TestClient(app)
    cache = app.state.fttrack.cache
    cache.serve_from(Archive(snapshot))
    assert client.get("/badges/numpy.json?target=3.14t").json()["message"] == "gil-reenabled"
    assert store.record_probe(probe(status=Status.READY, at=T0 + timedelta(days=41)))
    cache.serve_from(None)
    with cache._lock:  # the database check is under way elsewhere: memory answers
        held = _in_thread(lambda: client.get("/badges/numpy.json?target=3.14t").json())
    assert held["message"] == "gil-reenabled"  # the snapshot's, not "not tracked"
    assert client.get("/badges/numpy.json?target=3.14t").json()["message"] == "ready"
