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


def test_a_pin_reads_only_the_newer_releases_and_agrees_with_the_whole(tmp_path: Path) -> None:
    feed = json.loads(FEED.read_text())
    path = tmp_path / "snapshot.json.gz"
    write_feed_members(feed, path)
    source = SnapshotSource(path)
    for whole in feed["projects"]:
        versions = [r["version"] for r in whole["releases"]]
        for position, version in enumerate(versions):
            partial = source.project_down_to(whole["name"], version)
            assert partial is not None
            assert partial["releases"] == whole["releases"][: position + 1]
            assert {k: v for k, v in partial.items() if k != "releases"} == {
                k: v for k, v in whole.items() if k != "releases"
            }
        assert source.project_down_to(whole["name"], "0.0.0.not-there") == whole
    assert source.project_down_to("not-tracked", "1.0") is None


def test_audits_of_pins_agree_with_whole_documents() -> None:
    from tracker.audit.resolve import resolve
    from tracker.datafiles import data_file
    from tracker.models import Dependency
    from tracker.releases import current_release

    snapshot = SnapshotSource(data_file("snapshot.json.gz"))

    class Whole:
        kind = "snapshot"

        def project(self, name: str) -> dict | None:  # type: ignore[type-arg]
            return SnapshotSource(data_file("snapshot.json.gz")).project(name)

        def targets(self) -> tuple[str, ...]:
            return snapshot.targets()

        def describe(self) -> str:
            return snapshot.describe()

    deps = []
    for name in snapshot.names()[::20]:
        document = snapshot.project(name)
        assert document is not None
        releases = document["releases"]
        for release in (current_release(document), releases[len(releases) // 2], releases[-1]):
            if release is not None:
                deps.append(Dependency(name, release["version"], f"=={release['version']}"))
    fast = SnapshotSource(data_file("snapshot.json.gz"))
    for target in ("3.13t", "3.14t"):
        quick = resolve(deps, fast, target=target, platform="manylinux_x86_64", input_name="x")
        full = resolve(deps, Whole(), target=target, platform="manylinux_x86_64", input_name="x")
        assert quick.entries == full.entries
