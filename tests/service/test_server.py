"""The service assembled by :func:`tracker.server.build_server`: what ``fttrack serve``
runs, driven here without uvicorn."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tracker.config import Settings
from tracker.server import ServeOptions, build_server

TOKEN = "test-token"


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, cache_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'serve.db'}",
        index_url=None, pythons=(), api_token=TOKEN, probe_timeout=60,
        crawl_interval_minutes=45, concurrency=1,
    )  # fmt: skip


def test_the_server_serves_refuses_crawls_when_told_and_stops_with_the_app(
    tmp_path: Path,
) -> None:
    options = ServeOptions(probe_workers=0, seed_top=0, no_crawl=True, queue="auto")
    server = build_server(
        _settings(tmp_path), options, targets=["3.14t"], snapshot=tmp_path / "none.json.gz"
    )
    assert server.every == 45 and not server.seeding.active  # no snapshot: nothing to seed
    assert server.tracker.enqueue is None  # SQLite: probes stay in this process
    assert server.tracker.targets == ("3.14t",)
    with TestClient(server.app, raise_server_exceptions=False) as client:
        server.start().join(timeout=30)
        assert server.schedulers == []  # --no-crawl: no schedule
        assert client.get("/api/v1/projects/numpy").status_code == 404
        refused = client.post("/api/v1/crawl", headers={"Authorization": f"Bearer {TOKEN}"})
        assert refused.status_code == 503
    assert server.seeding.stopping  # the app's lifespan ended with Server.stop


def test_the_server_seeds_the_watch_list_and_takes_the_interval(tmp_path: Path) -> None:
    options = ServeOptions(probe_workers=0, seed_top=3, interval=90, no_crawl=True)
    server = build_server(
        _settings(tmp_path), options, targets=[], snapshot=tmp_path / "none.json.gz"
    )
    try:
        server.start().join(timeout=30)
        assert server.every == 90
        assert len(server.store.watchlist()) == 3  # the seed list's first three
    finally:
        server.stop()
