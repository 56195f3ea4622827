"""Stress results on the API: the project document, the release detail, the feed, and
the threads badge (``?check=threads``)."""

from __future__ import annotations

import pytest

from tests.api.conftest import TestClient
from tests.api.test_badge_routes import VALIDATOR
from tests.stress.records import stress_result
from tracker.store import Store
from tracker.stress.result import StressStatus


@pytest.fixture
def stressed(filled_store: Store) -> Store:
    """numpy 2.5.5 (gil-reenabled on 3.14t) with a stress run that found races."""
    filled_store.record_stress(stress_result())
    return filled_store


def test_project_document_carries_the_stress_result(stressed: Store, client: TestClient) -> None:
    body = client.get("/api/v1/projects/numpy").json()
    verdict = next(r for r in body["releases"] if r["version"] == "2.5.5")["targets"]["3.14t"]
    assert verdict["status"] == "gil-reenabled"  # the import verdict stays
    assert verdict["stress"]["status"] == "races"
    assert verdict["stress"]["tests_failed"] == 2
    assert verdict["stress"]["failing"]["tests/test_a.py::test_fill"] == "race"
    cell = body["summary"]["targets"]["3.14t"]
    assert cell["status"] == "gil-reenabled"
    assert cell["stress"] == {"status": "races", "checked": "2026-12-06"}
    assert "stress" not in body["summary"]["targets"]["3.13t"]


def test_release_detail_keeps_every_stress_run(stressed: Store, client: TestClient) -> None:
    stressed.record_stress(stress_result(status=StressStatus.PASSED, at="2026-12-07T00:00:00Z"))
    body = client.get("/api/v1/projects/numpy/2.5.5").json()
    assert [run["status"] for run in body["stress_history"]["3.14t"]] == ["passed", "races"]
    assert body["targets"]["3.14t"]["stress"]["status"] == "passed"


def test_feed_carries_the_current_release_stress_status(
    stressed: Store, client: TestClient
) -> None:
    projects = {p["name"]: p for p in client.get("/api/v1/feed.json").json()["projects"]}
    assert projects["numpy"]["targets"]["3.14t"]["stress"]["status"] == "races"
    assert "stress" not in projects["six"]["targets"]["3.14t"]


@pytest.mark.parametrize(
    ("name", "message", "color"),
    [
        ("numpy", "races", "orange"),
        ("six", "not run", "lightgrey"),
        ("nope", "not tracked", "lightgrey"),
    ],
)
def test_threads_badge(
    stressed: Store, client: TestClient, name: str, message: str, color: str
) -> None:
    response = client.get(f"/badges/{name}.json", params={"check": "threads", "target": "3.14t"})
    assert response.status_code == 200
    body = response.json()
    VALIDATOR.validate(body)
    assert (body["label"], body["message"], body["color"]) == ("threads 3.14t", message, color)
    svg = client.get(f"/badges/{name}.svg", params={"check": "threads"})
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert f">{message}</text>" in svg.text


def test_the_import_badge_is_unchanged_and_a_bad_check_is_refused(
    stressed: Store, client: TestClient
) -> None:
    assert client.get("/badges/numpy.json").json()["message"] == "gil-reenabled"
    assert client.get("/badges/numpy.json?check=import").json()["message"] == "gil-reenabled"
    assert client.get("/badges/numpy.json?check=nope").status_code == 422
