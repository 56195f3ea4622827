"""Project documents built from the store's rows and the summaries stored beside them."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.store.helpers import T0, legacy_page, numpy_page, probe, six_page
from tracker.documents import (
    Culprit,
    ModuleLine,
    TargetVerdict,
    current_release,
    encode,
    status_counts,
    summarize,
)
from tracker.models import Evidence, Status
from tracker.store import Store
from tracker.store.document_rows import document_from_rows
from tracker.store.rows import load_projects

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


def _rebuilt(store: Store, name: str) -> object:
    with store.session_scope() as session:
        (rows,) = load_projects(session=session, names=[name])
        return document_from_rows(rows)


def test_project_document_of_a_crawled_project(store: Store) -> None:
    _fill(store)
    document = store.project_document("numpy")
    assert document is not None
    assert (document.name, document.display_name) == ("numpy", "NumPy")
    assert document.watch_reason == "seed"
    assert document.classifier is not None and document.classifier.endswith("3 - Stable")
    assert [r.version for r in document.releases] == ["2.6.0rc1", "2.5.5", "2.4.6"]
    release = document.releases[1]
    assert (release.yanked, release.uploaded) == (False, "2026-12-01T12:00:00Z")
    assert list(release.targets) == ["3.13t", "3.14t", "3.15t"]
    assert release.targets["3.14t"] == TargetVerdict(
        status=Status.WHEEL_ONLY,
        evidence=Evidence.TAGS,
        platforms=["manylinux_x86_64", "macosx_arm64"],
    )
    assert release.targets["3.13t"].status is Status.NO_FT_WHEEL
    assert document.releases[2].targets["3.13t"].status is Status.WHEEL_ONLY
    # defaults are omitted from the JSON: a tags verdict is its status and platforms
    stored = json.loads(store.project_json("numpy") or b"{}")
    assert stored["releases"][1]["targets"]["3.14t"] == {
        "status": "wheel-only",
        "platforms": ["manylinux_x86_64", "macosx_arm64"],
    }
    # nothing is probed: nothing is ready, and the untested upgrade is the first wheel
    assert document.summary is not None
    assert all(document.summary.cell(t).first_ready is None for t in ("3.13t", "3.14t", "3.15t"))
    assert document.summary.cell("3.15t").first_wheel == "2.5.5"
    assert document.summary.version == "2.5.5"  # not the release candidate
    assert _rebuilt(store, "numpy") == document


def test_latest_probe_overrides_tags_and_sets_first_ready(store: Store) -> None:
    _fill(store)
    store.record_probe(
        probe(status=Status.GIL_REENABLED, culprit="numpy._core._umath", at=T0 + timedelta(days=40))
    )
    store.record_probe(probe("numpy", "2.4.6", "3.13t", Status.READY, at=T0 + timedelta(days=2)))
    doc = store.project_document("numpy")
    assert doc is not None
    v255 = doc.releases[1].targets["3.14t"]
    assert (v255.status, v255.evidence) == (Status.GIL_REENABLED, Evidence.PROBE)
    assert v255.culprits == [Culprit("numpy._core._umath", "numpy")]
    assert v255.probed_at == "2026-12-11T12:00:00Z"
    assert v255.probe is not None
    assert v255.probe.modules == [
        ModuleLine(name="numpy._core._umath", outcome="gil-reenabled", owner="numpy")
    ]
    assert set(json.loads(encode(v255.probe))) == PROBE_KEYS
    assert v255.platforms == ["manylinux_x86_64", "macosx_arm64"]
    assert doc.summary is not None
    assert doc.summary.cell("3.13t").first_ready == "2.4.6"
    assert doc.summary.cell("3.14t").first_ready is None
    cell = doc.summary.cell("3.14t")
    assert (cell.status, cell.checked, cell.probed) == (Status.GIL_REENABLED, "2026-12-11", 1)
    assert cell.culprits == [Culprit("numpy._core._umath", "numpy")]

    # a later probe wins; the older one stays in the history
    store.record_probe(probe(status=Status.READY, at=T0 + timedelta(days=45)))
    doc = store.project_document("numpy")
    assert doc is not None and doc.summary is not None
    assert doc.releases[1].targets["3.14t"].status is Status.READY
    assert doc.summary.cell("3.13t").first_ready == "2.4.6"
    assert doc.summary.cell("3.14t").first_ready == "2.5.5"
    # an older probe recorded late does not override the newer one
    store.record_probe(probe(status=Status.CRASHED, at=T0 + timedelta(days=3)))
    doc = store.project_document("numpy")
    assert doc is not None and doc.releases[1].targets["3.14t"].status is Status.READY
    assert _rebuilt(store, "numpy") == doc


def test_pure_and_yanked_releases(store: Store) -> None:
    _fill(store)
    six = store.project_document("six")
    assert six is not None
    assert [(r.version, r.yanked) for r in six.releases] == [("1.17.0", False), ("1.16.0", True)]
    assert six.releases[0].targets["3.14t"].status is Status.PURE
    assert six.releases[0].targets["3.14t"].platforms == ["any"]
    # pure releases judged by tags alone say nothing about readiness
    assert six.summary is not None
    assert six.summary.cell("3.14t").status is Status.PURE
    assert six.summary.cell("3.14t").first_ready is None
    legacy = store.project_document("legacy-pkg")
    assert legacy is not None
    assert legacy.releases[0].targets["3.14t"].status is Status.SDIST_ONLY


def test_summaries_list_every_project_and_use_the_current_release(store: Store) -> None:
    _fill(store)
    summaries = store.summaries()
    assert [s.name for s in summaries] == ["legacy-pkg", "numpy", "six"]
    numpy = summaries[1]
    assert numpy.version == "2.5.5"  # not the release candidate
    assert numpy.shown_name == "NumPy"
    cell = numpy.cell("3.15t")
    assert (cell.status, cell.evidence) == (Status.WHEEL_ONLY, Evidence.TAGS)
    document = store.project_document("numpy")
    assert document is not None
    current = current_release(document.releases)
    assert current is not None and current.version == "2.5.5"
    assert numpy == summarize(document) == document.summary
    counts = status_counts(summaries)
    assert counts["3.14t"]["wheel-only"] == 1 and counts["3.14t"]["pure"] == 1
    assert counts["3.14t"]["sdist-only"] == 1 and sum(counts["3.14t"].values()) == 3
    assert set(store.summary_json(["six", "not-there"])) == {"six"}


def test_every_write_moves_the_revision_of_its_project_only(store: Store) -> None:
    _fill(store)
    before = store.summary_revisions()
    store.record_probe(probe(status=Status.READY))
    after = store.summary_revisions()
    assert after["numpy"] > before["numpy"]
    assert {k: v for k, v in after.items() if k != "numpy"} == {
        k: v for k, v in before.items() if k != "numpy"
    }


def test_unknown_project_has_no_document(store: Store) -> None:
    assert store.project_document("not-there") is None
    assert store.project_json("not-there") is None
    assert list(store.documents(["not-there"])) == []
