"""The snapshot as one gzip member per project, with its member index."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from tracker.snapshot import write_feed_members
from tracker.verdicts.snapshot import SnapshotSource, member_index_path

FEED = Path(__file__).resolve().parent.parent / "assets" / "feed-small.json"


def test_members_read_the_same_documents_as_the_plain_feed(tmp_path: Path) -> None:
    feed = json.loads(FEED.read_text())
    path = tmp_path / "snapshot.json.gz"
    write_feed_members(feed, path)
    assert json.loads(gzip.decompress(path.read_bytes())) == feed  # still plain gzip JSON
    indexed, plain = SnapshotSource(path), SnapshotSource(FEED)
    assert indexed.names() == plain.names()
    assert indexed.targets() == plain.targets()
    for name in plain.names():
        assert indexed.project(name) == plain.project(name)
    assert indexed.project("not-there") is None
    assert indexed._members is not None, "the member index was used"


def test_a_stale_index_falls_back_to_a_full_read(tmp_path: Path) -> None:
    feed = json.loads(FEED.read_text())
    path = tmp_path / "snapshot.json.gz"
    write_feed_members(feed, path)
    stale = json.loads(member_index_path(path).read_text())
    path.write_bytes(gzip.compress(json.dumps(feed).encode()))  # replaced, index left behind
    member_index_path(path).write_text(json.dumps(stale))
    source = SnapshotSource(path)
    name = json.loads(FEED.read_text())["projects"][0]["name"]
    assert source.project(name) == feed["projects"][0]
    assert source._members is None


def test_an_empty_feed_is_readable_both_ways(tmp_path: Path) -> None:
    feed = {"schema": 1, "generated": "2026-11-25T00:00:00Z", "targets": ["3.14t"], "projects": []}
    path = tmp_path / "snapshot.json.gz"
    write_feed_members(feed, path)
    assert SnapshotSource(path).names() == []
    plain = tmp_path / "plain.json"
    shutil.copyfile(FEED, plain)
    plain.write_text(json.dumps(feed))
    assert SnapshotSource(plain).names() == [] and SnapshotSource(plain).targets() == ("3.14t",)
