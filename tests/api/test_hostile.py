"""Hostile requests on every route: JSON error answers, no 500, one log line per failure, no SQL."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from tests.api.conftest import TOKEN, Hooks, fill
from tests.api.served import served
from tests.store.helpers import pg_schema_url
from tracker.api import create_app
from tracker.store import Store, open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HOSTILE = {
    "digits": "9" * 4301,
    "version-digits": "1." + "9" * 4301,
    "nul": "num\x00py",
    "long-name": "a" * 5000,
    "newline": "numpy\nINFO fake log line",
    "dots": "...",
    "dash": "-x-",
    "percent": "%",
    "unicode": "nümpy",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The API's test store on a SQLite file, or on a private schema of the real PostgreSQL."""
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{tmp_path / 'api.db'}", seed=False)
        fill(store)
        yield store
        store.close()
    else:
        with pg_schema_url() as url:
            store = open_store(url, seed=False)
            fill(store)
            yield store
            store.close()


@pytest.fixture
def hostile_app(any_store: Store) -> FastAPI:
    hooks = Hooks()
    return create_app(
        any_store, api_token=TOKEN, on_crawl=hooks.on_crawl, on_probe=hooks.on_probe,
        recheck_seconds=0,
    )  # fmt: skip


def _get_paths(app: FastAPI) -> list[str]:
    paths = app.openapi()["paths"]
    return sorted(p for p, ops in paths.items() if "get" in ops and "{" in p)


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: quote(values[m.group(1)], safe=""), path)


def _cases(path: str) -> Iterator[tuple[str, str]]:
    """(label, URL) with every path parameter hostile in turn, the others valid."""
    valid = {"name": "numpy", "version": "2.5.5"}
    for param in re.findall(r"\{(\w+)\}", path):
        for label, value in HOSTILE.items():
            yield f"{param}={label}", _fill(path, {**valid, param: value})


def _assert_json_error_or_badge(response: Any, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:200]}"
    kind = response.headers["content-type"]
    if kind.startswith("image/svg+xml"):
        assert "not tracked" in response.text, where
        return
    assert kind.startswith("application/json"), f"{where}: {kind}"
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body.get("error"), str) and body["error"], where
        assert len(response.content) < 4000, f"{where}: the hostile input is echoed in full"
    assert "Traceback" not in response.text, where


def test_every_get_route_answers_hostile_path_parameters_with_json(
    hostile_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(hostile_app, raise_server_exceptions=False)
    paths = _get_paths(hostile_app)
    assert "/api/v1/projects/{name}/{version}" in paths and "/badges/{name}.json" in paths
    with caplog.at_level(logging.WARNING):
        for path in paths:
            for label, url in _cases(path):
                response = client.get(url)
                _assert_json_error_or_badge(response, f"GET {path} {label}")
                if path.startswith("/api/"):
                    assert response.status_code == 404, f"GET {path} {label}"
                else:  # shields.io shows only a 200's badge: an untracked one is grey
                    assert response.status_code == 200, f"GET {path} {label}"
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_hostile_version_of_a_tracked_project_is_a_404(hostile_app: FastAPI) -> None:
    client = TestClient(hostile_app, raise_server_exceptions=False)
    response = client.get("/api/v1/projects/numpy/" + "9" * 4301)
    assert response.status_code == 404
    assert "not a version" in response.json()["error"]
    assert len(response.json()["error"]) < 100
    assert client.get("/api/v1/projects/numpy/2.5.5").status_code == 200


def test_hostile_bodies_are_refused_with_a_json_422(hostile_app: FastAPI) -> None:
    client = TestClient(hostile_app, raise_server_exceptions=False)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for route, body in [
        ("/api/v1/watch", {"names": ["num\x00py"]}),
        ("/api/v1/watch", {"names": ["a" * 5000]}),
        ("/api/v1/crawl", {"names": ["9" * 4301 + "-"]}),
        ("/api/v1/probe", {"name": "numpy\x00"}),
    ]:
        response = client.post(route, json=body, headers=auth)
        assert response.status_code == 422, (route, response.text[:200])
        error = response.json()
        assert error["error"] and isinstance(error["detail"], list)
        assert "a" * 300 not in response.text  # the input is not echoed back


def test_an_unexpected_crash_is_a_json_500_and_one_log_line(
    hostile_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @hostile_app.get("/test-crash")
    async def crash() -> None:
        int("9" * 4301)

    client = TestClient(hostile_app, raise_server_exceptions=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/test-crash")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": "internal error"}
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert "GET '/test-crash' failed: ValueError: Exceeds the limit" in record.getMessage()


def test_a_database_error_logs_no_sql(
    hostile_app: FastAPI, any_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    @hostile_app.get("/test-bad-query")
    def bad_query() -> None:
        with any_store.session_scope() as session:
            session.execute(
                sa.text("SELECT no_such_column FROM projects WHERE name = :n"), {"n": 1}
            )

    client = TestClient(hostile_app, raise_server_exceptions=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/test-bad-query")
    # SQLite calls a missing column an OperationalError, like a locked database: 503 there
    assert (response.status_code, response.json()) in [
        (500, {"error": "internal error"}),
        (503, {"error": "the database is unavailable"}),
    ]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    message = record.getMessage()
    assert "no_such_column" in message  # the database's own words...
    assert "SELECT" not in message and "[SQL" not in message and "\n" not in message  # ...only


def test_an_unreachable_database_is_a_503(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'gone.db'}", seed=False)
    app = create_app(store, recheck_seconds=0)
    client = TestClient(app, raise_server_exceptions=False)
    store.engine.dispose()
    (tmp_path / "gone.db").unlink()
    (tmp_path / "gone.db").mkdir()  # a directory where the database was: it cannot be opened
    response = client.get("/api/v1/projects/numpy")
    assert response.status_code == 503
    assert response.json() == {"error": "the database is unavailable"}


# -- HEAD on every GET route ---------------------------------------------------------------


def test_head_answers_like_get_on_every_get_route(hostile_app: FastAPI) -> None:
    client = TestClient(hostile_app, raise_server_exceptions=False)
    paths = sorted(p for p, ops in hostile_app.openapi()["paths"].items() if "get" in ops)
    assert "/badges/{name}.svg" in paths and "/api/v1/feed.json" in paths
    for path in paths:
        for values in ({"name": "numpy", "version": "2.5.5"}, {"name": "untracked"}):
            if "{version}" in path and "version" not in values:
                continue
            url = _fill(path, values)
            got = client.get(url)
            head = client.head(url)
            assert head.status_code == got.status_code, url
            assert got.status_code in (200, 404), (url, got.status_code)
            assert head.content == b"", url
            for header in ("content-type", "content-length", "etag", "cache-control"):
                assert head.headers.get(header) == got.headers.get(header), (url, header)
    assert client.head("/api/v1/watch").status_code == 405  # a POST route stays POST only


def test_head_over_a_real_server(hostile_app: FastAPI) -> None:
    import httpx

    with served(hostile_app) as url, httpx.Client(base_url=url, timeout=10) as client:
        head = client.head("/api/v1/projects/numpy")
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) > 100
        assert client.head("/api/v1/projects/untracked").status_code == 404
        assert client.get("/healthz").json() == {"ok": True}  # the connection still works


# -- POST /api/v1/probe answers what really happened -----------------------------------------


class _Queue:
    """Stands for the PostgreSQL queue: records jobs, refuses a job already queued."""

    def __init__(self) -> None:
        self.jobs: list[Any] = []

    def __call__(self, job: Any) -> bool:
        if job in self.jobs:
            return False
        self.jobs.append(job)
        return True


def _probe_client(
    store: Store, tmp_path: Path, *, targets: list[str], workers: int, queue: _Queue | None
) -> TestClient:
    from tracker.api.hooks import probe_hook
    from tracker.config import Settings
    from tracker.service import TrackerService

    settings = Settings(
        data_dir=tmp_path, cache_dir=tmp_path, db_url="sqlite://", index_url=None, pythons=(),
        api_token=TOKEN, probe_timeout=60, crawl_interval_minutes=60, concurrency=1,
    )  # fmt: skip
    tracker = TrackerService(store, settings, targets=targets, probe_workers=workers, enqueue=queue)
    hook = probe_hook(tracker, store, workers=workers > 0 or queue is not None)
    app = create_app(store, api_token=TOKEN, on_probe=hook, recheck_seconds=0)
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    return client


def test_probe_with_no_probe_workers_is_503_not_queued(any_store: Store, tmp_path: Path) -> None:
    client = _probe_client(any_store, tmp_path, targets=["3.14t"], workers=0, queue=None)
    response = client.post("/api/v1/probe", json={"name": "numpy", "version": "2.5.5"})
    assert response.status_code == 503
    assert response.json() == {
        "error": "nothing can probe numpy 2.5.5: this server runs no probe workers"
    }


def test_probe_of_a_target_without_interpreter_is_503(any_store: Store, tmp_path: Path) -> None:
    queue = _Queue()
    client = _probe_client(any_store, tmp_path, targets=["3.14t"], workers=0, queue=queue)
    response = client.post("/api/v1/probe", json={"name": "numpy", "targets": ["3.15t"]})
    assert response.status_code == 503
    assert "no free-threaded interpreter for 3.15t" in response.json()["error"]
    assert "3.14t" in response.json()["error"] and queue.jobs == []


def test_probe_answers_202_409_404_422_as_it_happened(any_store: Store, tmp_path: Path) -> None:
    from tracker.models import ProbeJob

    queue = _Queue()
    client = _probe_client(any_store, tmp_path, targets=["3.14t"], workers=0, queue=queue)
    body = {"name": "NumPy", "version": "v2.5.5", "targets": ["3.14t", "3.15t"]}
    first = client.post("/api/v1/probe", json=body)
    assert first.status_code == 202, first.text
    assert first.json()["detail"] == (
        "probe of numpy 2.5.5 on 3.14t queued (1 job); no interpreter here for 3.15t"
    )
    assert queue.jobs == [ProbeJob("numpy", "2.5.5", "3.14t")]
    again = client.post("/api/v1/probe", json=body)
    assert again.status_code == 409 and "already queued" in again.json()["error"]
    pure = client.post("/api/v1/probe", json={"name": "six"})  # six is pure: nothing to probe
    assert pure.status_code == 409 and "nothing to probe" in pure.json()["error"]
    untracked = client.post("/api/v1/probe", json={"name": "not-tracked"})
    assert untracked.status_code == 404 and "not tracked" in untracked.json()["error"]
    for version in ("latest", "1." + "9" * 4301, "2.5.5; rm -rf /"):
        bad = client.post("/api/v1/probe", json={"name": "numpy", "version": version})
        assert bad.status_code == 422, version
        assert bad.json()["error"].startswith("body.version: ")
        assert len(bad.text) < 400
    assert queue.jobs == [ProbeJob("numpy", "2.5.5", "3.14t")]


# -- /api/v1/queue: public, numbers only, one reading per period ------------------------------


def test_queue_health_is_public_and_read_once_per_period(any_store: Store) -> None:
    app = create_app(any_store, api_token=TOKEN, recheck_seconds=0)
    app.state.queue_cache_seconds = 3600  # the test must not depend on the clock
    client = TestClient(app, raise_server_exceptions=False)
    checkouts: list[object] = []
    sa.event.listen(any_store.engine, "checkout", lambda *args: checkouts.append(args))
    first = client.get("/api/v1/queue")  # no Authorization header
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=3600"
    if any_store.dialect == "sqlite":
        assert first.json() == {"backend": "in-process"}
        return
    assert first.json()["backend"] == "postgres"
    assert set(first.json()) <= {
        "backend", "installed", "checked_at", "workers", "workers_alive", "queues", "totals",
        "stalled_jobs", "throughput",
    }  # fmt: skip
    used = len(checkouts)
    assert used >= 1
    for _ in range(5):
        assert client.get("/api/v1/queue").json() == first.json()
    assert len(checkouts) == used  # served from the last reading: no database work
    assert client.head("/api/v1/queue").status_code == 200
