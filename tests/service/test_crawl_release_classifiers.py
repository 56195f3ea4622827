"""The crawler reads each probed release's own Free Threading classifier from the loopback
index (PEP 658 ``.metadata`` files), once, and only when the project's page changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from testkit.indexserver import Fault, IndexServer
from tests.index.wheelkit import build_wheel
from tests.store.helpers import probe
from tracker.crawl import crawl_once
from tracker.models import Status
from tracker.store.engine import Store

FT = "Programming Language :: Python :: Free Threading :: "
TAG = "cp314-cp314t-manylinux_2_28_x86_64"
#: A probe date before any crawl of these tests.
BEFORE = datetime(2026, 1, 1, tzinfo=UTC)


def _metadata_path(version: str) -> str:
    return f"/files/demo_pkg-{version}-{TAG}.whl.metadata"


def _serve(server: IndexServer, tmp_path: Path) -> None:
    claims = {"1.0": (FT + "3 - Stable",), "2.0": (), "3.0": (FT + "2 - Beta",)}
    for version, classifiers in claims.items():
        wheel = build_wheel(tmp_path, version=version, tag=TAG, classifiers=classifiers)
        server.add_wheel_file(wheel)


def test_probed_releases_get_their_own_classifier_once(store: Store, tmp_path: Path) -> None:
    with IndexServer() as server:
        _serve(server, tmp_path)
        crawl_once(["demo-pkg"], store, index_url=server.index_url)
        document = store.project_document("demo-pkg")
        assert document is not None and document.classifier == FT + "2 - Beta"
        # nothing probed yet: only the newest release's metadata was read (the project's)
        assert [server.requests_to(_metadata_path(v)) for v in ("1.0", "2.0", "3.0")] == [0, 0, 1]
        assert [r.classifier for r in document.releases] == [None, None, None]

        # probed before the page was stored (a database seeded so): an unchanged page
        # is not fetched again for them
        store.record_probe(probe("demo-pkg", "1.0", status=Status.GIL_REENABLED,
                                 culprit="x._c", at=BEFORE))  # fmt: skip
        store.record_probe(probe("demo-pkg", "2.0", status=Status.READY, at=BEFORE))
        store.record_probe(probe("demo-pkg", "3.0", status=Status.READY, at=BEFORE))
        crawl_once(["demo-pkg"], store, index_url=server.index_url)  # page unchanged
        assert [server.requests_to(_metadata_path(v)) for v in ("1.0", "2.0", "3.0")] == [0, 0, 1]
        assert store.unread_classifiers("demo-pkg") == ["3.0", "2.0", "1.0"]

        server.bump("demo-pkg")
        crawl_once(["demo-pkg"], store, index_url=server.index_url)
        # the newest release's metadata is read once for the project and the release
        assert [server.requests_to(_metadata_path(v)) for v in ("1.0", "2.0", "3.0")] == [1, 1, 2]
        assert store.unread_classifiers("demo-pkg") == []
        document = store.project_document("demo-pkg")
        assert document is not None
        levels = {r.version: r.classifier for r in document.releases}
        assert levels == {"3.0": "2 - Beta", "2.0": "", "1.0": "3 - Stable"}
        flags = {(c.version, f.value) for c in document.claims for f in c.flags}
        assert ("1.0", "classifier-overclaims") in flags
        assert ("2.0", "classifier-missing") in flags
        assert not {f for v, f in flags if v == "3.0"}

        server.bump("demo-pkg")  # read already: a changed page reads nothing again
        crawl_once(["demo-pkg"], store, index_url=server.index_url)
        assert [server.requests_to(_metadata_path(v)) for v in ("1.0", "2.0", "3.0")] == [1, 1, 3]


def test_an_unreadable_release_is_read_at_a_later_change(store: Store, tmp_path: Path) -> None:
    with IndexServer() as server:
        _serve(server, tmp_path)
        crawl_once(["demo-pkg"], store, index_url=server.index_url)
        store.record_probe(probe("demo-pkg", "1.0", status=Status.READY, at=BEFORE))
        server.bump("demo-pkg")
        server.add_fault(_metadata_path("1.0"), Fault("status", status=500, times=None))
        report = crawl_once(["demo-pkg"], store, index_url=server.index_url)
        assert report.fetched == 1 and not report.failed  # the page is stored all the same
        assert store.unread_classifiers("demo-pkg") == ["1.0"]

        server.clear_faults()
        server.bump("demo-pkg")
        server.metadata_files = False
        server.ranges = False
        crawl_once(["demo-pkg"], store, index_url=server.index_url, concurrency=2)
        # without .metadata files the wheel itself is read (the fallback of today)
        document = store.project_document("demo-pkg")
        assert document is not None
        assert {r.version: r.classifier for r in document.releases}["1.0"] == "3 - Stable"


def test_a_release_probed_after_the_crawl_is_read_at_the_next_crawl(
    store: Store, tmp_path: Path
) -> None:
    """A probe that judges a release after its page was stored brings the page (and the
    release's classifier) in at the next crawl, though the index says it has not changed;
    once read, an unchanged page is not fetched again."""
    with IndexServer() as server:
        _serve(server, tmp_path)
        crawl_once(["demo-pkg"], store, index_url=server.index_url)
        assert store.probed_since_crawled() == set()
        store.record_probe(probe("demo-pkg", "1.0", at=datetime.now(UTC) + timedelta(seconds=1)))
        assert store.probed_since_crawled() == {"demo-pkg"}
        report = crawl_once(["demo-pkg"], store, index_url=server.index_url)  # page unchanged
        assert report.fetched == 1 and report.unchanged == 0
        assert store.unread_classifiers("demo-pkg") == []
        document = store.project_document("demo-pkg")
        assert document is not None
        assert {r.version: r.classifier for r in document.releases}["1.0"] == "3 - Stable"
        assert store.probed_since_crawled() == set()
        again = crawl_once(["demo-pkg"], store, index_url=server.index_url)
        assert again.fetched == 0 and again.unchanged == 1
        assert server.requests_to(_metadata_path("1.0")) == 1
