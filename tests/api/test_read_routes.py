"""Read routes: project, release with history, list/search, status, 404 bodies."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import TestClient


def test_project_document(client: TestClient) -> None:
    response = client.get("/api/v1/projects/numpy")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["name"] == "numpy" and document["watch_reason"] == "seed"
    assert [r["version"] for r in document["releases"]] == ["2.6.0rc1", "2.5.5", "2.4.6"]
    verdict = document["releases"][1]["targets"]["3.14t"]
    assert (verdict["status"], verdict["evidence"]) == ("gil-reenabled", "probe")
    summary = document["summary"]
    assert summary["version"] == "2.5.5"
    assert summary["targets"]["3.13t"]["first_ready"] == "2.4.6"
    assert "first_ready" not in summary["targets"]["3.14t"]  # the current release re-enables it
    assert summary["targets"]["3.14t"]["culprits"] == [
        {"module": "numpy._core._umath", "owner": "numpy"}
    ]


def test_names_in_any_spelling_are_accepted(client: TestClient) -> None:
    for spelling in ("NumPy", "numpy", "NUMPY"):
        assert client.get(f"/api/v1/projects/{spelling}").json()["name"] == "numpy"
    assert client.get("/api/v1/projects/Legacy_Pkg").json()["name"] == "legacy-pkg"
    assert client.get("/badges/Legacy.Pkg.json").status_code == 200


def test_unknown_project_is_404_with_an_error_body(client: TestClient) -> None:
    for url in ("/api/v1/projects/nope", "/api/v1/projects/nope/1.0", "/api/v1/projects/numpy/9.9"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"error": response.json()["error"]}
        assert "not tracked" in response.json()["error"]
    assert client.get("/no/such/route").json() == {"error": "Not Found"}


def test_release_with_probe_history(client: TestClient) -> None:
    response = client.get("/api/v1/projects/NumPy/2.5.5")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["version"], body["yanked"]) == ("numpy", "2.5.5", False)
    assert {f["filename"] for f in body["files"]} >= {
        "numpy-2.5.5-cp314-cp314t-manylinux_2_28_x86_64.whl"
    }
    assert body["targets"]["3.14t"]["status"] == "gil-reenabled"
    history = body["history"]
    assert list(history) == ["3.13t", "3.14t", "3.15t"]
    assert [run["status"] for run in history["3.14t"]] == ["gil-reenabled"]
    run = history["3.14t"][0]
    assert run["installed"] == ["numpy==2.5.5"] and run["interpreter"] == "3.14.7"
    assert run["modules"][0]["seconds"] == 0.25
    assert history["3.13t"] == []
    # PEP 440 equal spellings find the release
    assert client.get("/api/v1/projects/numpy/2.5.5.0").json()["version"] == "2.5.5"


def _names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


def test_list_search_filter_and_pages(client: TestClient) -> None:
    everything = client.get("/api/v1/projects").json()
    assert everything["total"] == 3 and _names(everything) == ["legacy-pkg", "numpy", "six"]
    item = everything["items"][1]
    assert item["version"] == "2.5.5"
    cell = item["targets"]["3.14t"]
    assert (cell["status"], cell["evidence"], cell["probed"]) == ("gil-reenabled", "probe", 1)
    assert item == client.get("/api/v1/projects/numpy").json()["summary"]
    assert _names(client.get("/api/v1/projects", params={"q": "Num"}).json()) == ["numpy"]
    pure = client.get("/api/v1/projects", params={"status": "pure", "target": "3.14t"}).json()
    assert _names(pure) == ["six"]
    assert (
        client.get("/api/v1/projects", params={"status": "ready", "target": "3.14t"}).json()[
            "total"
        ]
        == 0
    )
    assert _names(client.get("/api/v1/projects", params={"status": "sdist-only"}).json()) == [
        "legacy-pkg"
    ]
    page2 = client.get("/api/v1/projects", params={"page": 2, "per_page": 2}).json()
    assert (page2["total"], page2["page"], page2["per_page"], _names(page2)) == (3, 2, 2, ["six"])


def test_list_rejects_bad_parameters(client: TestClient) -> None:
    assert client.get("/api/v1/projects", params={"status": "great"}).status_code == 422
    assert client.get("/api/v1/projects", params={"target": "2.7"}).status_code == 422
    assert client.get("/api/v1/projects", params={"per_page": 0}).status_code == 422


def test_status_counts(client: TestClient) -> None:
    body = client.get("/api/v1/status").json()
    assert body["projects"] == 3
    assert body["targets"]["3.14t"]["gil-reenabled"] == 1
    assert body["targets"]["3.14t"]["pure"] == 1
    assert body["targets"]["3.14t"]["sdist-only"] == 1
    assert all(sum(c.values()) == 3 for c in body["targets"].values())


def test_documents_follow_writes(client: TestClient, filled_store: Any) -> None:
    from tests.store.helpers import T0, probe
    from tracker.models import Status

    assert client.get("/badges/numpy.json").json()["message"] == "gil-reenabled"
    before = client.get("/api/v1/status").json()["targets"]["3.14t"]["ready"]
    filled_store.record_probe(probe(status=Status.READY, at=T0.replace(year=2027)))
    assert client.get("/badges/numpy.json").json()["message"] == "ready"
    assert client.get("/api/v1/status").json()["targets"]["3.14t"]["ready"] == before + 1


def test_openapi_lists_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/projects",
        "/api/v1/projects/{name}",
        "/api/v1/projects/{name}/{version}",
        "/api/v1/feed.json",
        "/api/v1/status",
        "/badges/{name}.json",
        "/badges/{name}.svg",
        "/api/v1/watch",
        "/api/v1/crawl",
        "/api/v1/probe",
    } <= set(paths)


def test_hot_documents_are_served_without_the_database_for_a_moment(filled_store: Any) -> None:
    from tests.store.helpers import T0, probe
    from tracker.api import create_app
    from tracker.models import Status

    client = TestClient(create_app(filled_store, recheck_seconds=60))
    assert client.get("/badges/numpy.json").json()["message"] == "gil-reenabled"
    filled_store.record_probe(probe(status=Status.READY, at=T0.replace(year=2027)))
    assert client.get("/badges/numpy.json").json()["message"] == "gil-reenabled"  # cached
    cache = client.app.state.fttrack.cache  # type: ignore[attr-defined]
    cache.recheck_seconds = 0
    assert client.get("/badges/numpy.json").json()["message"] == "ready"
