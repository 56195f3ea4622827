"""The app behind a real uvicorn server on 127.0.0.1, spoken to over TCP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.api.conftest import TOKEN
from tests.api.served import served


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; stop it afterwards."""
    with served(app) as url:
        yield url


def test_real_server_answers(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        badge = client.get("/badges/numpy.json", params={"target": "3.14t"})
        assert badge.status_code == 200 and badge.json()["message"] == "gil-reenabled"
        svg = client.get("/badges/six.svg")
        assert svg.headers["content-type"] == "image/svg+xml" and svg.text.startswith("<svg")
        feed = client.get("/api/v1/feed.json", headers={"Accept-Encoding": "gzip"})
        assert feed.headers["content-encoding"] == "gzip"
        assert feed.json()["schema"] == 3
        etag = feed.headers["etag"]
        assert client.get("/api/v1/feed.json", headers={"If-None-Match": etag}).status_code == 304
        assert client.get("/api/v1/projects/nope").json() == {"error": "nope is not tracked"}
        watched = client.post(
            "/api/v1/watch", json={"names": ["attrs"]}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert watched.json() == {"added": ["attrs"], "already": []}
