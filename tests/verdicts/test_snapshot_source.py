"""The snapshot verdict source: gzip and plain JSON, member index vs full read, errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tracker.archive import write_archive
from tracker.documents import convert_document, decode_feed, summarize, summarized
from tracker.errors import SourceError
from tracker.verdicts.interface import VerdictSource
from tracker.verdicts.snapshot import SnapshotSource

FEED = Path(__file__).resolve().parent.parent / "assets" / "feed-small.json"


def _feed() -> dict[str, Any]:
    feed: dict[str, Any] = json.loads(FEED.read_text())
    return feed


def test_is_a_verdict_source() -> None:
    assert isinstance(SnapshotSource(FEED), VerdictSource)


def test_plain_gzip_and_indexed_snapshots_agree(tmp_path: Path) -> None:
    feed = _feed()
    compact = tmp_path / "compact.json.gz"
    compact.write_bytes(gzip.compress(json.dumps(feed, separators=(",", ":")).encode()))
    indexed = tmp_path / "indexed.json.gz"
    write_archive(indexed, decode_feed(FEED.read_bytes()).projects, generated=feed["generated"])
    numpy = summarized(convert_document(feed["projects"][4]))
    for path in (FEED, compact, indexed):
        source = SnapshotSource(path)
        assert source.targets() == ("3.13t", "3.14t", "3.15t")
        assert source.names() == [p["name"] for p in feed["projects"]]
        document = source.project("numpy")
        assert document is not None
        assert (document.name, list(document.releases)) == (numpy.name, numpy.releases)
        assert document.summary == numpy.summary == summarize(numpy)
        assert source.project("not-there") is None
        assert "10 projects, generated 2026-11-25T00:00:00Z" in source.describe()
        assert str(tmp_path) not in source.describe()  # reports are shared: no local path
        assert source.generated() == "2026-11-25T00:00:00Z"
        source.close()


def test_unusual_key_order_is_read_all_the_same(tmp_path: Path) -> None:
    feed = _feed()
    feed["projects"] = [dict(reversed(list(p.items()))) for p in feed["projects"]]
    path = tmp_path / "reordered.json"
    path.write_text(
        json.dumps({"projects": feed["projects"], "targets": feed["targets"], "schema": 1})
    )
    source = SnapshotSource(path)
    six = source.project("six")
    assert six is not None and six.releases[0].version == "1.17.0"
    assert len(source.names()) == 10


def test_an_indexed_snapshot_decodes_only_what_is_asked(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json.gz"
    write_archive(path, decode_feed(FEED.read_bytes()).projects, generated=None)
    source = SnapshotSource(path)
    assert len(source.summaries()) == 10
    source.project("six")
    assert set(source.archive._by_name) == {"six"}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x1f\x8bnot gzip", "corrupt gzip"),
        (gzip.compress(b'{"schema": 2, "projects": []}')[:-12], "truncated gzip"),
        (b"{not json", "malformed"),
        (b'{"schema": 7, "targets": [], "projects": []}', "schema 7"),
        (b'{"schema": 2, "targets": ["3.14t"], "projects": [3]}', "projects[0]"),
        (b'{"schema": 2, "projects": [{"name": "x", "releases": [{}]}]}', "version"),
    ],
)
def test_bad_snapshots_raise_one_line_source_errors(
    tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=r"bad\.json") as caught:
        SnapshotSource(path).targets()
    assert needle in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_snapshot_says_how_to_get_verdicts(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="--snapshot PATH"):
        SnapshotSource(tmp_path / "none.json.gz").project("six")


def test_default_path_env_then_repo_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTTRACK_SNAPSHOT", "/somewhere/feed.json.gz")
    assert SnapshotSource().path == Path("/somewhere/feed.json.gz")
    monkeypatch.delenv("FTTRACK_SNAPSHOT")
    assert SnapshotSource().path.parts[-2:] == ("data", "snapshot.json.gz")
