"""The audit beside a peer tool on real locks: uv lock of the pyproject.toml of httpx,
SQLAlchemy, mkdocs-material and jupyter-server (each from its sdist, only [project]
kept), and uv-readiness 0.1.0's answer on each (``--offline --json 3.14t``, recorded
beside the lock; scripts/compare-uv-readiness runs both live).

uv-readiness evaluates every marker but the platform: a package it does not list is
never installed on 3.14t, and one it calls ready from version-independent wheels is
pure. The audit must agree on both; where it blocks what the peer calls ready, a
probe (or the platform) says why, in the row's detail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import LOCKFILES, run_cli

SNAPSHOT = Path(__file__).resolve().parents[2] / "data" / "snapshot.json.gz"
PROJECTS = ["httpx", "sqlalchemy", "mkdocs-material", "jupyter-server"]


@pytest.mark.parametrize("project", PROJECTS)
def test_no_phantom_blocker_and_no_pure_package_left_unknown(project: str) -> None:
    directory = LOCKFILES / "real" / project
    peer = json.loads((directory / "uv-readiness.3.14t.json").read_text())
    theirs = {row["name"]: row for row in peer["packages"]}
    run = run_cli(
        ["audit", str(directory / "uv.lock"), "--target", "3.14t", "--platform",
         "manylinux_x86_64", "--format", "json", "--offline"],
        env={"FTTRACK_SNAPSHOT": str(SNAPSHOT)},
    )  # fmt: skip
    assert run.code in (0, 1), run.stderr
    ours = {row["name"]: row for row in json.loads(run.stdout)["dependencies"]}
    assert set(ours) <= set(theirs)  # nothing judged that the peer finds unreachable
    for name, row in ours.items():
        peer_row = theirs[name]
        if peer_row["status"] == "ready" and peer_row["evidence"] == "version-independent":
            assert row["status"] != "unknown", name
        if row["blocks"] and peer_row["status"] == "ready":
            assert (
                row["evidence"] in ("probe", "inferred")
                or "none for this target" in (row["detail"])
            ), (name, row["detail"])
