"""An upgrade hint names the first later release that ships only pure wheels: a pin
that ships only an sdist (editorconfig 0.12.4, bs4 0.0.1) is told where its project
became installable everywhere."""

from __future__ import annotations

import json
from pathlib import Path

from tracker.audit.resolve import judge
from tracker.documents import ProjectDocument, ReleaseDocument, TargetVerdict, summarized
from tracker.models import Dependency, Evidence, Status

from .helpers import run_cli

SNAPSHOT = Path(__file__).resolve().parents[2] / "data" / "snapshot.json.gz"


def _document(*statuses: tuple[str, Status]) -> ProjectDocument:
    releases = [
        ReleaseDocument(version, targets={"3.14t": TargetVerdict(status)})
        for version, status in statuses
    ]
    return summarized(ProjectDocument("ftproj", releases=releases))


def _hint(document: ProjectDocument, pin: str) -> tuple[str | None, str]:
    entry = judge(Dependency("ftproj", pin, f"=={pin}"), document, target="3.14t",
                  platform="manylinux_x86_64", kind="snapshot")  # fmt: skip
    assert entry is not None
    return entry.first_ready_version, entry.detail


def test_an_sdist_only_pin_is_told_the_first_pure_release_above_it() -> None:
    document = _document(
        ("0.17.1", Status.PURE), ("0.17.0", Status.PURE), ("0.12.4", Status.SDIST_ONLY),
        ("0.12.3", Status.PURE), ("0.12.0", Status.SDIST_ONLY),
    )  # fmt: skip
    assert _hint(document, "0.12.4") == (
        "0.17.0",
        "no wheels at all, only a source distribution; upgrade ftproj 0.12.4 → 0.17.0 for 3.14t",
    )
    assert _hint(document, "0.12.0")[0] == "0.17.0"  # 0.12.4 ends the pure run above it


def test_no_pure_hint_when_the_newest_release_is_not_pure() -> None:
    document = _document(
        ("3.0", Status.NO_FT_WHEEL), ("2.0", Status.PURE), ("1.0", Status.SDIST_ONLY),
    )  # fmt: skip
    assert _hint(document, "1.0")[0] is None


def test_a_release_built_pure_counts_too() -> None:
    built = ReleaseDocument("2.0", targets={"3.14t": TargetVerdict(
        Status.PURE, Evidence.PROBE, probed_at="2026-12-06T22:00:00Z")})  # fmt: skip
    old = ReleaseDocument("1.0", targets={"3.14t": TargetVerdict(Status.SDIST_ONLY)})
    document = summarized(ProjectDocument("ftproj", releases=[built, old]))
    assert _hint(document, "1.0")[0] == "2.0"


def test_the_shipped_snapshot_hints_pure_releases(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("editorconfig==0.12.4\nbs4==0.0.1\njsbeautifier==1.15.1\n")
    run = run_cli(
        ["audit", str(path), "--target", "3.14t", "--format", "json", "--offline"],
        env={"FTTRACK_SNAPSHOT": str(SNAPSHOT)},
    )
    rows = {row["name"]: row for row in json.loads(run.stdout)["dependencies"]}
    hints = {name: (row["status"], row["first_ready_version"]) for name, row in rows.items()}
    assert hints == {
        "editorconfig": ("sdist-only", "0.17.0"),
        "bs4": ("sdist-only", "0.0.2"),
        "jsbeautifier": ("sdist-only", "1.15.2"),
    }
