"""The snapshot as one gzip member per project: the member index answers like a full read."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from tracker.archive import index_path_for, write_archive
from tracker.datafiles import data_file
from tracker.documents import decode_feed, summarize
from tracker.models import Dependency
from tracker.verdicts.snapshot import SnapshotSource

FEED = Path(__file__).resolve().parent.parent / "assets" / "feed-small.json"


def test_members_read_the_same_documents_as_the_plain_feed(tmp_path: Path) -> None:
    documents = decode_feed(FEED.read_bytes()).projects
    path = tmp_path / "snapshot.json.gz"
    summaries = write_archive(path, documents, generated="2026-11-25T00:00:00Z")
    assert summaries == [summarize(d) for d in documents]
    whole = decode_feed(gzip.decompress(path.read_bytes()))  # still plain gzip JSON
    assert [d.name for d in whole.projects] == [d.name for d in documents]
    assert whole.summaries == summaries
    assert all(d.summary == s for d, s in zip(whole.projects, summaries, strict=True))
    indexed, plain = SnapshotSource(path), SnapshotSource(FEED)
    assert indexed.names() == plain.names()
    assert indexed.targets() == plain.targets()
    assert indexed.summaries() == plain.summaries()
    assert indexed.probed_targets() == plain.probed_targets()
    for name in plain.names():
        mine, theirs = indexed.project(name), plain.project(name)
        assert mine is not None and theirs is not None
        assert list(mine.releases) == list(theirs.releases)
        assert mine.summary == theirs.summary
    assert indexed.project("not-there") is None
    assert indexed.archive._spans is not None, "the member index was used"
    assert plain.archive._spans is None


def test_an_empty_snapshot_is_readable_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json.gz"
    assert write_archive(path, [], generated="2026-11-25T00:00:00Z") == []
    source = SnapshotSource(path)
    assert (source.names(), source.summaries(), source.probed_targets()) == ([], [], ())
    index_path_for(path).unlink()
    again = SnapshotSource(path)
    assert (again.names(), again.summaries()) == ([], [])
    assert again.generated() == "2026-11-25T00:00:00Z"


def test_audits_over_the_index_agree_with_audits_over_a_full_read(tmp_path: Path) -> None:
    from tracker.audit.resolve import resolve

    shipped = data_file("snapshot.json.gz")
    copy = tmp_path / "snapshot.json.gz"
    shutil.copyfile(shipped, copy)  # no index beside it: one full read
    fast, full = SnapshotSource(shipped), SnapshotSource(copy)
    assert fast.summaries() == full.summaries()
    deps = []
    for name in fast.names()[::20]:
        document = fast.project(name)
        assert document is not None and document.summary is not None
        releases = document.releases
        versions = {document.summary.version, releases[len(releases) // 2].version}
        versions.add(releases[-1].version)
        deps += [Dependency(name, v, f"=={v}") for v in sorted(v for v in versions if v)]
    for target in ("3.13t", "3.14t"):
        quick = resolve(deps, fast, target=target, platform="manylinux_x86_64", input_name="x")
        whole = resolve(deps, full, target=target, platform="manylinux_x86_64", input_name="x")
        assert quick.entries == whole.entries
    assert full.archive._spans is None and fast.archive._spans is not None
