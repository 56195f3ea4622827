"""The shipped snapshot in data/: it loads, `fttrack status` counts it right,
and every probe verdict in it says where, how and when it was made."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from tracker.datafiles import data_file
from tracker.verdicts.snapshot import SnapshotSource

SNAPSHOT = data_file("snapshot.json.gz")


@cache
def feed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    return document


def test_the_snapshot_is_a_feed_document_of_real_projects() -> None:
    document = feed()
    assert document["schema"] == 1
    assert document["targets"] == ["3.13t", "3.14t", "3.15t"]
    names = [p["name"] for p in document["projects"]]
    assert len(names) >= 2000 and len(set(names)) == len(names)
    assert {"numpy", "boto3", "requests"} <= set(names)


def test_the_member_index_serves_the_same_documents() -> None:
    source = SnapshotSource(SNAPSHOT)
    assert source.names() == [p["name"] for p in feed()["projects"]]
    for document in feed()["projects"][::97]:
        assert source.project(document["name"]) == document


def test_every_probe_verdict_carries_interpreter_sandbox_and_date() -> None:
    probes = 0
    for project in feed()["projects"]:
        for release in project["releases"]:
            for target, verdict in release["targets"].items():
                if verdict["evidence"] != "probe":
                    continue
                probes += 1
                probe = verdict["probe"]
                assert probe["interpreter"].startswith(target[:-1] + "."), (project["name"], target)
                assert probe["sandbox"] in ("bwrap", "unshare"), project["name"]
                assert verdict["probed_at"], project["name"]
    assert probes >= 150


def test_status_counts_match_the_snapshot() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "status", "--json",
         "--snapshot", str(SNAPSHOT)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    status = json.loads(completed.stdout)
    assert status["projects"] == len(feed()["projects"])
    assert status["releases"] == sum(len(p["releases"]) for p in feed()["projects"])
    probed: Counter[str] = Counter(
        target
        for project in feed()["projects"]
        for release in project["releases"]
        for target, verdict in release["targets"].items()
        if verdict["evidence"] == "probe"
    )
    assert status["probed_releases"] == {t: probed[t] for t in ("3.13t", "3.14t", "3.15t")}
    assert status["interpreters"] and status["sandboxes"][0] == "bwrap"


def test_the_snapshot_is_small_enough_for_git() -> None:
    assert SNAPSHOT.stat().st_size < 20 * 1024 * 1024
    assert Path(str(SNAPSHOT).replace(".json.gz", ".index.json")).is_file()
