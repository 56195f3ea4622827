"""A worker killed with SIGKILL shows as dead in ``/api/v1/queue`` at once, not when its
heartbeat has aged past the 30 s threshold (it held a liveness lock that PostgreSQL
dropped with its connection)."""

from __future__ import annotations

import time
import warnings
from typing import Any

from tests.queue.conftest import Workers, wait_for
from tracker.api import create_app
from tracker.queue.health import queue_health
from tracker.store.engine import open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _workers(url: str) -> list[dict[str, Any]]:
    return list(queue_health(url)["workers"])


def test_a_worker_killed_with_sigkill_shows_as_dead(pg_url: str, workers: Workers) -> None:
    victim = workers.start()
    survivor = workers.start()
    wait_for(
        lambda: (
            len([w for w in _workers(pg_url) if w["alive"]]) == 2
            and "liveness lock not taken" not in workers.log_of(victim)
        ),
        60,
        "two live workers",
    )
    time.sleep(1.0)  # both hold their liveness locks by now
    before = {w["id"] for w in _workers(pg_url)}
    workers.kill9(victim)
    killed_at = time.monotonic()

    def one_dead() -> list[dict[str, Any]] | None:
        found = _workers(pg_url)
        return found if sum(not w["alive"] for w in found) == 1 else None

    seen = wait_for(one_dead, 10, "the killed worker shown dead")
    assert time.monotonic() - killed_at < 10
    dead = [w for w in seen if not w["alive"]]
    assert len(dead) == 1 and dead[0]["id"] in before
    assert dead[0]["seconds_since_heartbeat"] < 30  # dead before the heartbeat rule says so
    store = open_store(pg_url, seed=False)
    try:
        app = create_app(store)
        app.state.queue_cache_seconds = 0
        answer = TestClient(app).get("/api/v1/queue").json()
        assert answer["workers_alive"] == 1
        assert [w["alive"] for w in answer["workers"] if w["id"] == dead[0]["id"]] == [False]
    finally:
        store.close()
    assert survivor.poll() is None
