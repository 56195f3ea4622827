"""``scripts/fix-snapshot --fetch-release-classifiers`` on a small snapshot against the
loopback index: each probed release gets its own classifier, re-runnable."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from testkit.indexserver import IndexServer
from tests.index.wheelkit import build_wheel
from tests.test_release_classifiers import _probed
from tracker.archive import Archive, write_archive
from tracker.documents import ProjectDocument, ReleaseDocument, TargetVerdict, claims_of
from tracker.models import Status

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fix-snapshot"
FT = "Programming Language :: Python :: Free Threading :: "
TAG = "cp314-cp314t-manylinux_2_28_x86_64"
GENERATED = "2026-12-01T00:00:00Z"


def _script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("fix_snapshot", str(SCRIPT))
    spec = importlib.util.spec_from_loader("fix_snapshot", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _snapshot(path: Path) -> None:
    demo = ProjectDocument(
        "demo-pkg",
        releases=[
            _probed("3.0", Status.READY, None),
            _probed("2.0", Status.GIL_REENABLED, None),
            ReleaseDocument("1.5", targets={"3.14t": TargetVerdict(Status.WHEEL_ONLY)}),
            _probed("1.0", Status.READY, None),
        ],
    )
    write_archive(path, [demo, ProjectDocument("other")], generated=GENERATED)


def test_probed_releases_get_their_classifier_and_a_second_run_reads_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "snapshot.json.gz"
    _snapshot(snapshot)
    claims = {"1.0": (), "1.5": (FT + "1 - Alpha",), "2.0": (FT + "3 - Stable",), "3.0": ()}
    script = _script()
    with IndexServer() as server:
        for version, classifiers in claims.items():
            server.add_wheel_file(
                build_wheel(tmp_path, version=version, tag=TAG, classifiers=classifiers)
            )
        args = ["--snapshot", str(snapshot), "--fetch-release-classifiers"]
        assert script.main([*args, "--index-url", server.index_url]) == 0
        out = capsys.readouterr().out
        assert "3 probed releases of 1 projects have no classifier read" in out
        assert "     3 release classifiers read" in out
        assert "     1 releases with a classifier" in out
        assert "     1 -> 2      classifier-missing" in out
        assert "     0 -> 1      classifier-overclaims" in out
        assert "     1 -> 1      current classifier-missing" in out

        archive = Archive(snapshot)
        assert archive.generated == GENERATED
        document = archive.document("demo-pkg")
        archive.close()
        assert document is not None
        levels = {r.version: r.classifier for r in document.releases}
        assert levels == {"3.0": "", "2.0": "3 - Stable", "1.5": None, "1.0": ""}
        flagged = {(c.version, f.value) for c in claims_of(document) for f in c.flags}
        assert ("2.0", "classifier-overclaims") in flagged
        assert ("1.0", "classifier-missing") in flagged
        assert server.requests_to(f"/files/demo_pkg-1.5-{TAG}.whl.metadata") == 0

        before = snapshot.read_bytes()
        assert script.main([*args, "--index-url", server.index_url]) == 0
        assert "0 probed releases of 0 projects" in capsys.readouterr().out
        assert snapshot.read_bytes() == before
