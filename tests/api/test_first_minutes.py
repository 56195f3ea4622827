"""The service's first minutes: a project it does not have yet while it seeds, a
mistyped ``--db``, a badge for a target fttrack does not know, a search for an exact name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI

from tests.api.conftest import TestClient
from tests.store.helpers import legacy_page, six_page
from tracker.api.state import AppState
from tracker.store import Store

FTTRACK = Path(sys.executable).with_name("fttrack")


def _state(app: FastAPI) -> AppState:
    state = app.state.fttrack
    assert isinstance(state, AppState)
    return state


def test_a_project_not_there_yet_while_seeding_is_loading_not_untracked(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.get("/api/v1/projects/no-such-project-x").status_code == 404
    _state(app).seeding.begin(5000)
    try:
        for path in ("/api/v1/projects/no-such-project-x", "/api/v1/projects/numpy/9.9.9"):
            answer = client.get(path)
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"].startswith("loading: the database is being seeded")
            assert f"retry after {answer.headers['retry-after']} s" in answer.json()["error"]
        assert client.get("/api/v1/projects/numpy").status_code == 200  # what it has
    finally:
        _state(app).seeding.finish()
    assert client.get("/api/v1/projects/no-such-project-x").status_code == 404


def test_a_badge_for_an_unknown_target_is_a_grey_badge(client: TestClient) -> None:
    answer = client.get("/badges/numpy.json", params={"target": "3.99t"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["message"] == "unknown target '3.99t'" and body["color"] == "lightgrey"
    svg = client.get("/badges/numpy.svg", params={"target": "nonsense"})
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "unknown target" in svg.text and "#9f9f9f" in svg.text
    threads = client.get("/badges/numpy.json", params={"target": "3.99t", "check": "threads"})
    assert threads.json()["label"] == "threads"
    # a spelling fttrack knows is the target itself
    known = client.get("/badges/numpy.json", params={"target": "cp314t"}).json()
    assert known == client.get("/badges/numpy.json", params={"target": "3.14t"}).json()
    assert known["label"] == "free-threaded 3.14t"


def test_a_search_puts_the_exact_name_first(filled_store: Store, client: TestClient) -> None:
    filled_store.upsert_project_page("aa-numpy", 20, None, legacy_page())
    filled_store.upsert_project_page("numpy-stubs", 21, None, six_page())
    names = [
        p["name"] for p in client.get("/api/v1/projects", params={"q": "numpy"}).json()["items"]
    ]
    assert names == ["numpy", "numpy-stubs", "aa-numpy"]
    everything = [p["name"] for p in client.get("/api/v1/projects").json()["items"]]
    assert everything == sorted(everything)  # no query: the feed's order


def test_serve_refuses_a_db_in_a_missing_directory_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    done = subprocess.run(
        [str(FTTRACK), "serve", "--db", f"sqlite:///{missing / 'x.db'}", "--port", "9"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert lines == [
        f"error: {missing / 'x.db'}: no such directory {missing} (fttrack creates only its own)"
    ]
    assert not (tmp_path / "no").exists()
