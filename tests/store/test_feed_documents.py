"""The project and feed documents built from the store, exactly in the feed format."""

from __future__ import annotations

from datetime import timedelta

from tests.store.helpers import T0, legacy_page, numpy_page, probe, six_page
from tracker.feed import build_feed, current_release, project_summary, status_counts
from tracker.models import Status
from tracker.store import Store

VERDICT_KEYS = {"status", "evidence", "platforms", "culprits", "probed_at", "probe"}
PROBE_KEYS = {"interpreter", "sandbox", "platform", "modules", "timings", "stderr_tail", "detail"}


def _fill(store: Store) -> None:
    store.upsert_project_page(
        "NumPy",
        10,
        None,
        numpy_page(),
        classifier="Programming Language :: Python :: Free Threading :: 3 - Stable",
    )
    store.upsert_project_page("six", 11, None, six_page())
    store.upsert_project_page("legacy_pkg", 12, None, legacy_page())
    store.add_to_watchlist(["numpy"], "seed")


def test_project_document_has_exactly_the_feed_format(store: Store) -> None:
    _fill(store)
    document = store.project_document("numpy")
    assert document is not None
    assert list(document) == [
        "name",
        "display_name",
        "classifier",
        "watch_reason",
        "releases",
        "first_ready",
    ]
    assert document["name"] == "numpy" and document["display_name"] == "NumPy"
    assert document["watch_reason"] == "seed"
    assert document["classifier"].endswith("3 - Stable")
    assert [r["version"] for r in document["releases"]] == ["2.6.0rc1", "2.5.5", "2.4.6"]
    release = document["releases"][1]
    assert set(release) == {"version", "yanked", "uploaded", "targets"}
    assert release["uploaded"] == "2026-12-01T12:00:00Z"
    assert list(release["targets"]) == ["3.13t", "3.14t", "3.15t"]
    t314 = release["targets"]["3.14t"]
    assert set(t314) == VERDICT_KEYS
    assert t314 == {
        "status": "wheel-only",
        "evidence": "tags",
        "platforms": ["manylinux_x86_64", "macosx_arm64"],
        "culprits": [],
        "probed_at": None,
        "probe": None,
    }
    assert release["targets"]["3.13t"]["status"] == "no-ft-wheel"
    assert document["releases"][2]["targets"]["3.13t"]["status"] == "wheel-only"
    assert document["first_ready"] == {}


def test_latest_probe_overrides_tags_and_sets_first_ready(store: Store) -> None:
    _fill(store)
    store.record_probe(
        probe(status=Status.GIL_REENABLED, culprit="numpy._core._umath", at=T0 + timedelta(days=40))
    )
    store.record_probe(probe("numpy", "2.4.6", "3.13t", Status.READY, at=T0 + timedelta(days=2)))
    doc = store.project_document("numpy")
    assert doc is not None
    v255 = doc["releases"][1]["targets"]["3.14t"]
    assert set(v255) == VERDICT_KEYS and set(v255["probe"]) == PROBE_KEYS
    assert (v255["status"], v255["evidence"]) == ("gil-reenabled", "probe")
    assert v255["culprits"] == [{"module": "numpy._core._umath", "owner": "numpy"}]
    assert v255["probed_at"] == "2026-12-11T12:00:00Z"
    assert v255["probe"]["modules"] == [
        {"name": "numpy._core._umath", "outcome": "gil-reenabled", "detail": "", "owner": "numpy"}
    ]
    assert v255["platforms"] == ["manylinux_x86_64", "macosx_arm64"]
    assert doc["first_ready"] == {"3.13t": "2.4.6"}

    # a later probe wins; the older one stays in the history
    store.record_probe(probe(status=Status.READY, at=T0 + timedelta(days=45)))
    doc = store.project_document("numpy")
    assert doc is not None
    assert doc["releases"][1]["targets"]["3.14t"]["status"] == "ready"
    assert doc["first_ready"] == {"3.13t": "2.4.6", "3.14t": "2.5.5"}
    # an older probe recorded late does not override the newer one
    store.record_probe(probe(status=Status.CRASHED, at=T0 + timedelta(days=3)))
    doc = store.project_document("numpy")
    assert doc is not None and doc["releases"][1]["targets"]["3.14t"]["status"] == "ready"


def test_pure_and_yanked_releases(store: Store) -> None:
    _fill(store)
    six = store.project_document("six")
    assert six is not None
    assert [(r["version"], r["yanked"]) for r in six["releases"]] == [
        ("1.17.0", False),
        ("1.16.0", True),
    ]
    assert six["releases"][0]["targets"]["3.14t"]["status"] == "pure"
    assert six["releases"][0]["targets"]["3.14t"]["platforms"] == ["any"]
    assert six["first_ready"] == {"3.13t": "1.17.0", "3.14t": "1.17.0", "3.15t": "1.17.0"}
    legacy = store.project_document("legacy-pkg")
    assert legacy is not None
    assert legacy["releases"][0]["targets"]["3.14t"]["status"] == "sdist-only"


def test_feed_lists_every_project_and_summaries_use_the_current_release(store: Store) -> None:
    _fill(store)
    with store.session_scope() as session:
        feed = build_feed(session=session)
    assert list(feed) == ["schema", "generated", "targets", "projects"]
    assert feed["schema"] == 1 and feed["targets"] == ["3.13t", "3.14t", "3.15t"]
    assert feed["generated"].endswith("Z")
    assert [p["name"] for p in feed["projects"]] == ["legacy-pkg", "numpy", "six"]
    numpy = feed["projects"][1]
    assert current_release(numpy)["version"] == "2.5.5"  # not the release candidate
    assert project_summary(numpy)["targets"]["3.15t"] == {
        "status": "wheel-only",
        "evidence": "tags",
    }
    counts = status_counts(feed)
    assert counts["3.14t"]["wheel-only"] == 1 and counts["3.14t"]["pure"] == 1
    assert counts["3.14t"]["sdist-only"] == 1 and sum(counts["3.14t"].values()) == 3


def test_unknown_project_has_no_document(store: Store) -> None:
    assert store.project_document("not-there") is None
