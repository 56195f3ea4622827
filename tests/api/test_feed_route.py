"""The feed route: the summary feed, gzip, strong ETag, 304 on If-None-Match."""

from __future__ import annotations

import gzip
import json

from tests.api.conftest import TestClient
from tests.store.helpers import T0, probe
from tracker.documents import (
    FEED_SCHEMA,
    ProjectSummary,
    SummaryFeed,
    TargetSummary,
    decode_summary_feed,
)
from tracker.models import Status
from tracker.store import Store

#: The fields of feed schema 3 (2 had no ``stress``). Changing the summary's shape means
#: bumping FEED_SCHEMA
#: (and documenting it) and then updating this constant.
SUMMARY_FIELDS = (
    (
        "classifier",
        "display_name",
        "last_probe",
        "name",
        "release_count",
        "targets",
        "version",
        "watch_reason",
    ),
    (
        "checked",
        "culprits",
        "evidence",
        "first_ready",
        "first_wheel",
        "inferred_from",
        "more_culprits",
        "probed",
        "status",
        "stress",
    ),
)


def test_feed_holds_one_summary_per_project(client: TestClient) -> None:
    response = client.get("/api/v1/feed.json", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    feed = response.json()
    assert feed["schema"] == FEED_SCHEMA == 3
    assert feed["targets"] == ["3.13t", "3.14t", "3.15t"]
    assert [p["name"] for p in feed["projects"]] == ["legacy-pkg", "numpy", "six"]
    assert feed["projects"][1] == client.get("/api/v1/projects/numpy").json()["summary"]
    assert "releases" not in feed["projects"][1]  # history stays behind the project route
    assert feed["projects"][1]["release_count"] == 3


def test_feed_shape_is_its_schema(client: TestClient) -> None:
    """The feed decodes as the typed summary feed of its schema version, and every key it
    holds is a field of that schema: a shape change without a schema bump fails here."""
    body = client.get("/api/v1/feed.json").content
    feed = decode_summary_feed(body)
    assert feed.schema == FEED_SCHEMA
    allowed = set(SummaryFeed.__struct_fields__)
    summary_fields = set(ProjectSummary.__struct_fields__)
    target_fields = set(TargetSummary.__struct_fields__)
    raw = json.loads(body)
    assert set(raw) <= allowed
    for project in raw["projects"]:
        assert set(project) <= summary_fields
        for cell in project["targets"].values():
            assert set(cell) <= target_fields
    assert (tuple(sorted(summary_fields)), tuple(sorted(target_fields))) == SUMMARY_FIELDS


def test_feed_is_gzipped_when_accepted(client: TestClient) -> None:
    plain = client.get("/api/v1/feed.json", headers={"Accept-Encoding": "identity"})
    response = client.get("/api/v1/feed.json", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) < len(plain.content)
    assert response.json() == plain.json()  # httpx decodes gzip
    refused = client.get("/api/v1/feed.json", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_strong_etag_and_304(client: TestClient) -> None:
    first = client.get("/api/v1/feed.json", headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/api/v1/feed.json", headers={"Accept-Encoding": "identity"})
    assert again.headers["etag"] == etag and again.content == first.content
    cached = client.get("/api/v1/feed.json", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    weak = client.get("/api/v1/feed.json", headers={"If-None-Match": f'"x", W/{etag}'})
    assert weak.status_code == 304
    other = client.get("/api/v1/feed.json", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    gz = client.get("/api/v1/feed.json", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["etag"] != etag  # a different representation, a different strong tag
    assert (
        client.get("/api/v1/feed.json", headers={"If-None-Match": gz.headers["etag"]}).status_code
        == 304
    )


def test_etag_changes_after_a_write(client: TestClient, filled_store: Store) -> None:
    etag = client.get("/api/v1/feed.json").headers["etag"]
    filled_store.record_probe(probe(status=Status.READY, at=T0.replace(year=2027)))
    fresh = client.get("/api/v1/feed.json", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag


def test_gzip_body_is_real_gzip(client: TestClient) -> None:
    # read the raw bytes to prove the body on the wire is gzip
    with client.stream("GET", "/api/v1/feed.json", headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert raw[:2] == b"\x1f\x8b"
    assert json.loads(gzip.decompress(raw))["schema"] == 3
