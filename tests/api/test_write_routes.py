"""Write routes: token required, watch list, crawl and probe hooks (202), 503 without hooks."""

from __future__ import annotations

import pytest

from tests.api.conftest import TOKEN, Hooks, TestClient
from tracker.api import create_app
from tracker.store import Store

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/api/v1/watch", {"names": ["x"]}),
        ("POST", "/api/v1/crawl", {}),
        ("POST", "/api/v1/probe", {"name": "numpy"}),
    ],
)
def test_writes_need_the_token(client: TestClient, method: str, url: str, body: dict) -> None:
    missing = client.request(method, url, json=body)
    assert missing.status_code == 401 and "Bearer" in missing.json()["error"]
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = client.request(method, url, json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    basic = client.request(method, url, json=body, headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401


def test_writes_are_disabled_without_a_configured_token(
    filled_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FTTRACK_API_TOKEN", raising=False)
    client = TestClient(create_app(filled_store))
    response = client.post("/api/v1/watch", json={"names": ["x"]}, headers=AUTH)
    assert response.status_code == 403
    assert "FTTRACK_API_TOKEN" in response.json()["error"]


def test_token_comes_from_the_environment(
    filled_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FTTRACK_API_TOKEN", TOKEN)
    client = TestClient(create_app(filled_store))
    assert client.post("/api/v1/watch", json={"names": ["x"]}, headers=AUTH).status_code == 200


def test_watch_adds_names_as_manual(client: TestClient, filled_store: Store) -> None:
    response = client.post(
        "/api/v1/watch", json={"names": ["Requests", "numpy", "requests"]}, headers=AUTH
    )
    assert response.status_code == 200
    assert response.json() == {"added": ["requests"], "already": ["numpy"]}
    assert ("requests", "manual") in filled_store.watchlist()
    assert ("numpy", "seed") in filled_store.watchlist()


def test_watch_rejects_bad_names(client: TestClient) -> None:
    for names in ([], ["not a name!"], ["-x"]):
        assert client.post("/api/v1/watch", json={"names": names}, headers=AUTH).status_code == 422


def test_crawl_and_probe_call_the_hooks(client: TestClient, hooks: Hooks) -> None:
    response = client.post("/api/v1/crawl", json={"names": ["NumPy"]}, headers=AUTH)
    assert response.status_code == 202 and response.json()["accepted"] is True
    assert client.post("/api/v1/crawl", headers=AUTH).status_code == 202
    assert hooks.crawls == [["numpy"], None]
    response = client.post(
        "/api/v1/probe",
        json={"name": "NumPy", "version": "2.5.5", "targets": ["3.14t"]},
        headers=AUTH,
    )
    assert response.status_code == 202
    assert client.post("/api/v1/probe", json={"name": "six"}, headers=AUTH).status_code == 202
    assert hooks.probes == [
        ("numpy", "2.5.5", ["3.14t"]),
        ("six", None, ["3.13t", "3.14t", "3.15t"]),
    ]
    assert (
        client.post(
            "/api/v1/probe", json={"name": "six", "targets": ["2.7"]}, headers=AUTH
        ).status_code
        == 422
    )


def test_without_hooks_crawl_and_probe_are_503(filled_store: Store) -> None:
    client = TestClient(create_app(filled_store, api_token=TOKEN))
    for url, body in (("/api/v1/crawl", {}), ("/api/v1/probe", {"name": "numpy"})):
        response = client.post(url, json=body, headers=AUTH)
        assert response.status_code == 503
        assert "scheduler" in response.json()["error"]


def test_a_failing_hook_is_503(filled_store: Store) -> None:
    def broken(_names: list[str] | None) -> None:
        raise RuntimeError("queue full")

    client = TestClient(create_app(filled_store, api_token=TOKEN, on_crawl=broken))
    response = client.post("/api/v1/crawl", json={}, headers=AUTH)
    assert response.status_code == 503 and "error" in response.json()
