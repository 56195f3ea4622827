"""The server reads what its routes answer from before the first request asks
(:mod:`tracker.api.warm`): after a seed, and at start on a seeded database. Driven
through :func:`tracker.server.build_server` and the app's real lifespan, as
``fttrack serve`` runs it; every assertion is on what was read, none on time."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import tracker.api.changes
from tests.api.conftest import fill
from tracker.api.changes import changes_cache
from tracker.api.state import AppState
from tracker.archive import write_archive
from tracker.config import Settings
from tracker.server import ServeOptions, Server, build_server
from tracker.store import open_store

OPTIONS = ServeOptions(probe_workers=0, seed_top=0, no_crawl=True)
WARMED = "warmed in"


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, cache_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'serve.db'}",
        index_url=None, pythons=(), api_token=None, probe_timeout=60,
        crawl_interval_minutes=45, concurrency=1,
    )  # fmt: skip


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    """A snapshot of the API tests' three projects (numpy has changes)."""
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}", seed=False)
    try:
        fill(source)
        path = tmp_path / "snapshot.json.gz"
        write_archive(path, list(source.documents()), generated="2026-12-01T00:00:00Z")
    finally:
        source.close()
    return path


def _state(server: Server) -> AppState:
    state = server.app.state.fttrack
    assert isinstance(state, AppState)
    return state


def _wait_warmed(caplog: pytest.LogCaptureFixture, times: int = 1) -> None:
    """Wait until the server logged ``times`` warm-ups (what it reports when ready)."""
    deadline = time.monotonic() + 60
    while sum(WARMED in r.getMessage() for r in caplog.records) < times:
        assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
        time.sleep(0.02)


def _wait_ready(client: TestClient) -> None:
    """Wait until ``/readyz`` answers 200, as a load balancer would."""
    deadline = time.monotonic() + 30
    while (ready := client.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, ready.text
        time.sleep(0.02)
    assert ready.json() == {"ready": True}


def _reads(monkeypatch: pytest.MonkeyPatch, server: Server) -> list[str]:
    """From now on, every read of stored changes and of stored summaries, by kind."""
    reads: list[str] = []
    read_changes = tracker.api.changes._store_changes
    read_summaries = server.store.summary_json

    def changes(*args: Any) -> Any:
        reads.append("changes")
        return read_changes(*args)

    def summaries(*args: Any) -> Any:
        reads.append("summaries")
        return read_summaries(*args)

    monkeypatch.setattr(tracker.api.changes, "_store_changes", changes)
    monkeypatch.setattr(server.store, "summary_json", summaries)
    return reads


def _first_requests_read_nothing(
    server: Server, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start ``server``; once it reports warm, the first changes, Atom and badge requests
    are answered from memory."""
    with TestClient(server.app) as client:  # the app's lifespan: it ends with Server.stop
        server.start()
        _wait_warmed(caplog)
        cache = changes_cache(_state(server))
        assert cache.built  # read before any request asked
        reads = _reads(monkeypatch, server)
        page = client.get("/api/v1/changes")
        assert page.status_code == 200, page.text
        assert page.json()["total"] == len(cache.index().changes) > 0
        assert {c["project"] for c in page.json()["changes"]} == {"numpy"}
        assert client.get("/changes.atom", params={"since": "2020-01-01"}).status_code == 200
        assert client.get("/badges/numpy.svg", params={"target": "3.14t"}).status_code == 200
        assert reads == []  # nothing was left for the first requests to read
        monkeypatch.undo()


def test_a_seeded_then_restarted_server_answers_its_first_requests_from_memory(
    tmp_path: Path, snapshot: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="fttrack.serve")
    fresh = build_server(_settings(tmp_path), OPTIONS, targets=[], snapshot=snapshot)
    assert fresh.seeding.active  # an empty database: seeded from the snapshot first
    _first_requests_read_nothing(fresh, caplog, monkeypatch)
    messages = [r.getMessage() for r in caplog.records]
    seeded = next(i for i, m in enumerate(messages) if m.startswith("database seeded"))
    warmed = next(i for i, m in enumerate(messages) if WARMED in m)
    assert seeded < warmed  # after the seed, never during it
    assert "3 summaries" in messages[warmed]
    caplog.clear()
    restarted = build_server(_settings(tmp_path), OPTIONS, targets=[], snapshot=snapshot)
    assert not restarted.seeding.active  # seeded already: warmed at start
    _first_requests_read_nothing(restarted, caplog, monkeypatch)


def test_a_request_during_the_warm_up_waits_for_the_whole_index(
    tmp_path: Path, snapshot: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="fttrack.serve")
    # seed the database, then start on it again with the warm-up's read held open
    seeded = build_server(_settings(tmp_path), OPTIONS, targets=[], snapshot=snapshot)
    seeded.start().join(timeout=60)
    seeded.stop()
    server = build_server(_settings(tmp_path), OPTIONS, targets=[], snapshot=snapshot)
    reading, release = threading.Event(), threading.Event()
    reads: list[int] = []
    read_changes: Callable[..., Any] = tracker.api.changes._store_changes

    def held(*args: Any) -> Any:
        found = read_changes(*args)
        reads.append(len(found))
        reading.set()
        assert release.wait(timeout=30)
        return found

    monkeypatch.setattr(tracker.api.changes, "_store_changes", held)
    with TestClient(server.app) as client:
        server.start()
        assert reading.wait(timeout=30)  # the warm-up holds the changes, half read
        answers: list[Any] = []
        asking = threading.Thread(target=lambda: answers.append(client.get("/api/v1/changes")))
        asking.start()
        asking.join(timeout=0.5)
        assert asking.is_alive() and not answers  # it waits for the warm-up
        # a load balancer that waits for /readyz sends nothing yet
        waiting = client.get("/readyz")
        assert waiting.status_code == 503 and waiting.headers["retry-after"] == "1"
        assert waiting.json() == {"ready": False, "seeding": False}
        release.set()
        asking.join(timeout=30)
        _wait_warmed(caplog, times=2)
        _wait_ready(client)
        assert answers[0].status_code == 200, answers[0].text
        assert answers[0].json()["total"] == len(changes_cache(_state(server)).index().changes)
        assert answers[0].json()["total"] > 0
        assert len(reads) == 1  # read once, by the warm-up: the request did not read again


def test_readiness_waits_for_the_seed_and_the_warm_up(
    tmp_path: Path, snapshot: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """``/readyz`` answers 503 while a fresh database is seeded (``seeding: true``) and
    200 once the caches are warm; ``/healthz`` answers 200 throughout."""
    caplog.set_level(logging.INFO, logger="fttrack.serve")
    server = build_server(_settings(tmp_path), OPTIONS, targets=[], snapshot=snapshot)
    seeding, release = threading.Event(), threading.Event()
    seed = server.seeding.run

    def held(*args: Any, **kwargs: Any) -> Any:
        seeding.set()
        assert release.wait(timeout=30)
        return seed(*args, **kwargs)

    monkeypatch.setattr(server.seeding, "run", held)
    with TestClient(server.app) as client:
        server.start()
        assert seeding.wait(timeout=30)
        during = client.get("/readyz")
        assert during.status_code == 503, during.text
        assert during.json() == {"ready": False, "seeding": True}
        assert client.get("/healthz").status_code == 200
        release.set()
        _wait_warmed(caplog)
        _wait_ready(client)
