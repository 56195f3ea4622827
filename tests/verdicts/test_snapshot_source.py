"""The snapshot verdict source: gzip and plain JSON, lazy index vs full parse, errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tracker.errors import SourceError
from tracker.verdicts.interface import VerdictSource
from tracker.verdicts.snapshot import SnapshotSource, default_snapshot_path

FEED = Path(__file__).resolve().parent.parent / "assets" / "feed-small.json"


def _feed() -> dict[str, Any]:
    feed: dict[str, Any] = json.loads(FEED.read_text())
    return feed


def test_is_a_verdict_source() -> None:
    assert isinstance(SnapshotSource(FEED), VerdictSource)


def test_plain_and_gzip_compact_and_pretty_agree(tmp_path: Path) -> None:
    feed = _feed()
    compact = tmp_path / "compact.json.gz"
    compact.write_bytes(gzip.compress(json.dumps(feed, separators=(",", ":")).encode()))
    sources = [SnapshotSource(FEED), SnapshotSource(compact)]
    for source in sources:
        assert source.targets() == ("3.13t", "3.14t", "3.15t")
        assert source.names() == [p["name"] for p in feed["projects"]]
        assert source.project("numpy") == feed["projects"][4]
        assert source.project("not-there") is None
        assert "10 projects, generated 2026-11-25T00:00:00Z" in source.describe()


def test_unusual_key_order_falls_back_to_a_full_parse(tmp_path: Path) -> None:
    feed = _feed()
    feed["projects"] = [dict(reversed(list(p.items()))) for p in feed["projects"]]
    path = tmp_path / "reordered.json"
    path.write_text(
        json.dumps({"projects": feed["projects"], "targets": feed["targets"], "schema": 1})
    )
    source = SnapshotSource(path)
    assert source.project("six") == feed["projects"][7]
    assert len(source.names()) == 10


def test_lazy_index_parses_only_what_is_asked(tmp_path: Path) -> None:
    source = SnapshotSource(FEED)
    source.project("six")
    assert set(source._docs) == {"six"}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x1f\x8bnot gzip", "corrupt gzip"),
        (b"{not json", "invalid JSON"),
        (b'{"schema": 2, "targets": [], "projects": []}', "schema"),
        (b'{"schema": 1, "targets": ["3.14t"], "projects": [3]}', "projects[0]"),
    ],
)
def test_bad_snapshots_raise_source_error(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=r"bad\.json") as caught:
        SnapshotSource(path).targets()
    assert needle in str(caught.value)


def test_missing_snapshot_says_how_to_get_verdicts(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="--snapshot PATH"):
        SnapshotSource(tmp_path / "none.json.gz").project("six")


def test_default_path_env_then_repo_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTTRACK_SNAPSHOT", "/somewhere/feed.json.gz")
    assert default_snapshot_path() == Path("/somewhere/feed.json.gz")
    monkeypatch.delenv("FTTRACK_SNAPSHOT")
    assert default_snapshot_path().parts[-2:] == ("data", "snapshot.json.gz")
