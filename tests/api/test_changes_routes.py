"""The changes feed routes: filters, pagination, ETags, and Atom read by a real feed parser."""

from __future__ import annotations

import feedparser
from fastapi.testclient import TestClient

from tracker.store import Store

# numpy in the fixture store: 2.4.6 ready on 3.13t (probed), 2.5.5 without cp313t wheels
# but with cp314t (probed: gil-reenabled) and cp315t wheels.
EXPECTED = {
    ("regressed", "3.13t"),
    ("target-dropped", "3.13t"),
    ("first-ft-wheel", "3.14t"),
    ("first-ft-wheel", "3.15t"),
}


def test_changes_json_lists_every_change_newest_first(client: TestClient) -> None:
    answer = client.get("/api/v1/changes")
    assert answer.status_code == 200
    body = answer.json()
    assert {(c["kind"], c["target"]) for c in body["changes"]} == EXPECTED
    assert body["total"] == 4 and body["next"] is None
    dates = [c["date"] for c in body["changes"]]
    assert dates == sorted(dates, reverse=True)
    regressed = next(c for c in body["changes"] if c["kind"] == "regressed")
    assert (regressed["previous"], regressed["version"]) == ("2.4.6", "2.5.5")
    assert regressed["previous_status"] == "ready" and regressed["status"] == "no-ft-wheel"


def test_changes_pagination_walks_every_change_once(client: TestClient) -> None:
    seen = []
    url: str | None = "/api/v1/changes?limit=3"
    pages = 0
    while url is not None:
        body = client.get(url).json()
        seen += [(c["kind"], c["target"]) for c in body["changes"]]
        url = body["next"]
        pages += 1
    assert pages == 2
    assert sorted(seen) == sorted(EXPECTED)
    assert client.get("/api/v1/changes?limit=0").status_code == 422


def test_changes_filters(client: TestClient) -> None:
    def kinds(query: str) -> set[tuple[str, str]]:
        answer = client.get("/api/v1/changes?" + query)
        assert answer.status_code == 200, answer.text
        return {(c["kind"], c["target"]) for c in answer.json()["changes"]}

    assert kinds("target=3.13t") == {("regressed", "3.13t"), ("target-dropped", "3.13t")}
    assert kinds("kind=first-ft-wheel&kind=regressed") == EXPECTED - {("target-dropped", "3.13t")}
    assert kinds("project=NumPy") == EXPECTED
    assert kinds("project=six") == set()
    assert kinds("since=2099-01-01") == set()
    assert client.get("/api/v1/changes?kind=nonsense").status_code == 422
    assert client.get("/api/v1/changes?since=yesterday").status_code == 422


def test_changes_etag_and_304(client: TestClient) -> None:
    first = client.get("/api/v1/changes")
    etag = first.headers["etag"]
    again = client.get("/api/v1/changes", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    other = client.get("/api/v1/changes?target=3.14t")
    assert other.headers["etag"] != etag


def test_changes_follow_a_write(client: TestClient, filled_store: Store) -> None:
    from datetime import timedelta

    from tests.store.helpers import T0, probe
    from tracker.models import Status

    before = client.get("/api/v1/changes?target=3.14t").json()["changes"]
    assert {c["kind"] for c in before} == {"first-ft-wheel"}
    filled_store.record_probe(
        probe("numpy", "2.5.5", "3.14t", Status.READY, at=T0 + timedelta(days=41))
    )
    after = client.get("/api/v1/changes?target=3.14t").json()["changes"]
    assert {c["kind"] for c in after} == {"first-ft-wheel", "now-ready"}


def test_atom_feed_reads_in_a_feed_parser(client: TestClient) -> None:
    answer = client.get("/changes.atom?since=2000-01-01")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 4
    titles = {e.title for e in parsed.entries}
    assert "NumPy 2.5.5 on 3.13t: regressed (2.4.6 ready → no-ft-wheel)" in titles
    for entry in parsed.entries:
        assert entry.link.endswith("/api/v1/projects/numpy")
        assert entry.id.startswith("urn:fttrack:change:")
        assert entry.updated_parsed is not None
    assert len({e.id for e in parsed.entries}) == 4
    only = feedparser.parse(client.get("/changes.atom?since=2000-01-01&kind=regressed").content)
    assert [e.tags[0].term for e in only.entries] == ["regressed"]
    etag = answer.headers["etag"]
    assert (
        client.get("/changes.atom?since=2000-01-01", headers={"If-None-Match": etag}).status_code
        == 304
    )


def test_atom_feed_defaults_to_the_last_30_days(client: TestClient) -> None:
    import calendar
    import time

    parsed = feedparser.parse(client.get("/changes.atom").content)
    assert not parsed.bozo
    month_ago = time.time() - 30 * 86400
    every = feedparser.parse(client.get("/changes.atom?since=2000-01-01").content).entries
    recent = [e for e in every if calendar.timegm(e.updated_parsed) >= month_ago]
    assert [e.id for e in parsed.entries] == [e.id for e in recent]


def test_the_summary_feed_links_to_the_changes_feed(client: TestClient) -> None:
    links = client.get("/api/v1/feed.json").headers["link"]
    assert '</api/v1/changes>; rel="related"' in links
    assert '</changes.atom>; rel="alternate"; type="application/atom+xml"' in links


def test_verified_badge_says_what_was_verified_and_when(client: TestClient) -> None:
    body = client.get("/badges/numpy/verified.json?target=3.13t").json()
    assert body["label"] == "free-threading"
    # the current release (2.5.5) has no cp313t wheel; on 3.14t it was probed
    assert body["message"] == "3.13t no-ft-wheel · not probed"
    probed = client.get("/badges/numpy/verified.json?target=3.14t").json()["message"]
    assert probed.startswith("3.14t gil-reenabled · probed 2026-12-")
    svg = client.get("/badges/numpy/verified.svg?target=3.14t")
    assert svg.headers["content-type"] == "image/svg+xml" and "probed" in svg.text
    grey = client.get("/badges/not-a-project/verified.json").json()
    assert grey["color"] == "lightgrey" and grey["message"].endswith("not tracked")
