"""The exported site read back as its readers would: the typed summary feed, gzip project
documents equal to the stored ones, badges byte for byte the API's, and re-exports."""

from __future__ import annotations

import gzip
import os
import warnings
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from tests.store.helpers import T0, fill, probe
from tracker.api import create_app
from tracker.commands.export import export
from tracker.documents import TARGET_NAMES, decode_document, decode_summary_feed
from tracker.models import Status
from tracker.site import shared_badge_path
from tracker.store import open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    with open_store(url, seed=False) as store:
        fill(store)
    return url


def _export(directory: Path, url: str) -> None:
    result = CliRunner().invoke(export, [str(directory), "--db", url])
    assert result.exit_code == 0, result.output


def test_feed_decodes_as_the_typed_summary_feed(tmp_path: Path) -> None:
    url, site = _db(tmp_path), tmp_path / "site"
    _export(site, url)
    feed = decode_summary_feed((site / "feed.json").read_bytes())
    with open_store(url, seed=False) as store:
        assert feed.projects == store.summaries()
    assert list(feed.targets) == list(TARGET_NAMES)
    assert (
        gzip.decompress((site / "feed.json.gz").read_bytes()) == (site / "feed.json").read_bytes()
    )


def test_project_documents_are_the_stored_ones_gzip(tmp_path: Path) -> None:
    url, site = _db(tmp_path), tmp_path / "site"
    _export(site, url)
    written = sorted(p.name for p in (site / "projects").glob("*.json.gz"))
    assert written == ["legacy-pkg.json.gz", "numpy.json.gz", "six.json.gz"]
    with open_store(url, seed=False) as store:
        for name in ("legacy-pkg", "numpy", "six"):
            data = gzip.decompress((site / "projects" / f"{name}.json.gz").read_bytes())
            assert data == store.project_json(name)  # the stored bytes, not re-encoded
            assert decode_document(data) == store.project_document(name)
    html = (site / "index.html").read_text()
    assert '["numpy","NumPy",' in html and "'projects/'+n+'.html'" in html  # the row, its link


def test_badges_are_the_apis_badges(tmp_path: Path) -> None:
    url, site = _db(tmp_path), tmp_path / "site"
    _export(site, url)
    with open_store(url, seed=False) as store:
        client = TestClient(create_app(store))
        for name in ("legacy-pkg", "numpy", "six"):
            for target in TARGET_NAMES:
                served = client.get(f"/badges/{name}.json", params={"target": target})
                assert served.status_code == 200
                exported = (site / "badges" / f"{name}-{target}.json").read_bytes()
                assert exported == served.content, (name, target)
                image = client.get(f"/badges/{name}.svg", params={"target": target})
                assert image.status_code == 200
                shared = site / shared_badge_path(served.json()["message"], target)
                assert shared.read_bytes() == image.content, (name, target)


def test_reexport_rewrites_only_what_changed(tmp_path: Path) -> None:
    url, site = _db(tmp_path), tmp_path / "site"
    _export(site, url)
    old_layout = site / "projects" / "numpy.json"
    old_layout.write_text("{}")  # what an older fttrack wrote beside
    files = [p for p in site.rglob("*") if p.is_file() and p != old_layout]
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files}
    with open_store(url, seed=False) as store:
        assert store.record_probe(probe(status=Status.READY, at=T0 + timedelta(days=41)))
    _export(site, url)
    assert not old_layout.exists()
    changed = {
        str(p.relative_to(site))
        for p in files
        if (p.stat().st_ino, p.stat().st_mtime_ns) != before[p]
    }
    assert {
        "feed.json",
        "feed.json.gz",
        "index.html",
        "projects/numpy.json.gz",
        "badges/numpy-3.14t.json",
    } <= changed
    assert not {p for p in changed if p.startswith(("projects/six", "badges/six", "badges/legacy"))}
    assert not [p for p in site.rglob(".*.tmp")]
    feed = decode_summary_feed((site / "feed.json").read_bytes())
    (numpy,) = [s for s in feed.projects if s.name == "numpy"]
    assert numpy.cell("3.14t").status is Status.READY
    assert os.path.getsize(site / shared_badge_path("ready", "3.14t")) > 0
    assert not {p for p in changed if p.startswith("badges/3.1")}  # every verdict's SVG was there
