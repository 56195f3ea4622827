"""The static export carries the changes: changes.json and an Atom feed that a real feed
reader parses, linked from the index, each entry linking to the project's own page."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser

from tracker.changes_index import ChangeIndex
from tracker.documents import decode_feed, project_changes, summarize, summary_feed
from tracker.site import write_site

FEED = Path(__file__).resolve().parents[1] / "assets" / "feed-small.json"


def test_export_writes_the_changes_and_links_them(tmp_path: Path) -> None:
    documents = decode_feed(FEED.read_bytes()).projects
    changes = ChangeIndex(project_changes(d) for d in documents).changes
    assert changes, "the fixture feed has changes to export"
    feed = summary_feed([summarize(d) for d in documents], generated="2026-11-25T00:00:00Z")
    write_site(feed, documents, tmp_path, changes=changes)

    listed = json.loads((tmp_path / "changes.json").read_text())
    assert listed["total"] == len(changes) == len(listed["changes"]) and listed["next"] is None
    assert [c["project"] for c in listed["changes"]] == [c.project for c in changes]

    atom = feedparser.parse((tmp_path / "changes.atom").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    newest = max(c.date for c in changes if c.date)
    recent = [c for c in changes if c.date and c.date[:10] >= _days_before(newest, 30)]
    assert len(atom.entries) == len(recent) > 0
    for entry in atom.entries:
        page = tmp_path / entry.link
        assert page.is_file() and page.suffix == ".html", entry.link

    index = (tmp_path / "index.html").read_text()
    assert 'href="changes.json"' in index and 'href="changes.atom"' in index


def _days_before(iso: str, days: int) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(iso[:10]) - timedelta(days=days)).isoformat()
