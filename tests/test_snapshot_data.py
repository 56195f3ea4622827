"""The shipped snapshot in data/: a schema 2 archive of real projects on three targets,
its stored summaries agree with the documents, `fttrack status` counts it right, and
every probe verdict in it says where, how and when it was made."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from functools import cache

from packaging.version import Version

from tracker.archive import Archive, index_path_for
from tracker.datafiles import data_file
from tracker.documents import (
    DOCUMENT_SCHEMA,
    FeedDocument,
    TargetVerdict,
    decode_feed,
    first_ready,
    status_counts,
    summarize,
)
from tracker.models import Culprit, Evidence, Status
from tracker.wheels import normalise_platform

SNAPSHOT = data_file("snapshot.json.gz")
TARGETS = ["3.13t", "3.14t", "3.15t"]


@cache
def feed() -> FeedDocument:
    """The whole snapshot, read as one ordinary gzip JSON file."""
    return decode_feed(gzip.decompress(SNAPSHOT.read_bytes()), what=str(SNAPSHOT))


def test_the_snapshot_is_a_schema_2_document_of_real_projects() -> None:
    document = feed()
    assert document.schema == DOCUMENT_SCHEMA == 2
    names = [p.name for p in document.projects]
    assert len(names) >= 5000 and len(set(names)) == len(names)
    assert {"numpy", "boto3", "requests"} <= set(names)
    assert [s.name for s in document.summaries] == names


def test_the_snapshot_declares_three_targets_everywhere() -> None:
    assert feed().targets == TARGETS
    index = json.loads(index_path_for(SNAPSHOT).read_text())
    assert index["targets"] == TARGETS
    assert index["size"] == SNAPSHOT.stat().st_size
    archive = Archive(SNAPSHOT)
    assert list(archive.targets) == TARGETS
    assert archive.generated == feed().generated
    # every release carries a verdict on every target
    for project in feed().projects[::50]:
        for release in project.releases:
            assert list(release.targets) == TARGETS, (project.name, release.version)


def test_the_stored_summaries_agree_with_the_documents() -> None:
    archive = Archive(SNAPSHOT)
    summaries = archive.summaries()
    assert summaries == feed().summaries
    for project, summary in zip(feed().projects, summaries, strict=True):
        assert summary == summarize(project), project.name
        assert project.summary == summary, project.name  # each member carries it too
    index = json.loads(index_path_for(SNAPSHOT).read_text())
    assert index["probed_targets"] == list(archive.probed_targets()) == TARGETS


def test_the_member_index_serves_the_same_documents() -> None:
    archive = Archive(SNAPSHOT)
    assert archive.names() == [p.name for p in feed().projects]
    for document in feed().projects[::97]:
        found = archive.document(document.name)
        assert found is not None
        assert list(found.releases) == document.releases
        assert found.summary == document.summary


def test_every_probe_verdict_carries_interpreter_sandbox_and_date() -> None:
    probes = 0
    for project in feed().projects:
        for release in project.releases:
            for target, verdict in release.targets.items():
                if verdict.evidence is not Evidence.PROBE:
                    continue
                probes += 1
                probe = verdict.probe
                assert probe is not None, (project.name, release.version, target)
                assert probe.interpreter.startswith(target[:-1] + "."), (project.name, target)
                assert probe.sandbox in ("bwrap", "unshare"), project.name
                assert verdict.probed_at, project.name
    assert probes >= 150


def test_status_counts_match_the_snapshot() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "status", "--json",
         "--snapshot", str(SNAPSHOT)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    status = json.loads(completed.stdout)
    projects = feed().projects
    assert status["projects"] == len(projects)
    assert status["releases"] == sum(len(p.releases) for p in projects)
    probed: Counter[str] = Counter(
        target
        for project in projects
        for release in project.releases
        for target, verdict in release.targets.items()
        if verdict.evidence is Evidence.PROBE
    )
    assert status["probed_releases"] == {t: probed[t] for t in TARGETS}
    counts = status_counts(feed().summaries)
    for target in TARGETS:
        shown = {k: v for k, v in status["current_release_status"][target].items() if v}
        assert shown == {k: v for k, v in counts[target].items() if v}, target
    assert status["interpreters"] and status["sandboxes"][0] == "bwrap"


def test_the_snapshot_is_small_enough_for_git() -> None:
    assert SNAPSHOT.stat().st_size <= 25 * 1000 * 1000
    assert index_path_for(SNAPSHOT).is_file()


def _probed(name: str, version: str, target: str) -> TargetVerdict:
    """The probe verdict of one shipped release (fails when it was not probed)."""
    project = next(p for p in feed().projects if p.name == name)
    release = next(r for r in project.releases if r.version == version)
    verdict = release.targets[target]
    assert verdict.evidence is Evidence.PROBE and verdict.probe is not None, (name, version)
    return verdict


def test_an_undeclared_dependency_is_installed_and_the_module_imported_again() -> None:
    # pillow-avif-plugin imports PIL without requiring pillow
    for target in ("3.13t", "3.14t"):
        verdict = _probed("pillow-avif-plugin", "1.6.0", target)
        assert verdict.status is Status.READY
        assert verdict.probe is not None
        assert "imports PIL, which pillow-avif-plugin does not declare (pillow)" in (
            verdict.probe.detail
        )


def test_a_module_missing_an_optional_dependency_does_not_condemn_the_package() -> None:
    # mypyc.build needs distutils (setuptools), which mypy does not require
    for target in ("3.14t", "3.15t"):
        verdict = _probed("mypy", "2.4.1", target)
        assert verdict.status is Status.READY, target
        assert verdict.probe is not None
        optional = [m.name for m in verdict.probe.modules if m.optional]
        assert "mypyc.build" in optional
        assert "mypyc.build needs distutils" in verdict.probe.detail


def test_large_wheels_are_probed_and_their_culprits_named() -> None:
    assert _probed("torch", "2.15.0", "3.14t").status is Status.READY
    triton = _probed("triton", "3.9.0", "3.14t")
    assert triton.status is Status.GIL_REENABLED
    assert Culprit("triton._C.libtriton", "triton") in triton.culprits
    # torchvision's own modules are fine: the culprit it inherits belongs to triton
    torchvision = _probed("torchvision", "0.29.2", "3.14t")
    assert torchvision.status is Status.GIL_REENABLED
    assert {c.owner for c in torchvision.culprits} == {"triton"}
    # and so does every dependent of torch the large phase probed (tensordict requires torch)
    tensordict = _probed("tensordict", "0.15.3", "3.14t")
    assert tensordict.status is Status.GIL_REENABLED
    assert Culprit("triton._C.libtriton", "triton") in tensordict.culprits


def test_the_round_leaves_no_current_wheel_unjudged() -> None:
    """What docs/snapshot.md says this round completes: on every target, each current
    release with a free-threaded wheel rests on a probe (none is only ``wheel-only``),
    and every project's first ready version, where there is one, names a probed release."""
    for summary in feed().summaries or ():
        for target in TARGETS:
            cell = summary.cell(target)
            assert cell is None or cell.status is not Status.WHEEL_ONLY, (summary.name, target)
    for project in feed().projects:
        for target in TARGETS:
            version = first_ready(project.releases, target)
            if version is not None:
                release = next(r for r in project.releases if r.version == version)
                assert release.targets[target].evidence is Evidence.PROBE, (project.name, target)


def _legacy_releases() -> dict[str, set[str]]:
    """data/legacy-releases.txt: releases only a misread legacy sdist name made."""
    legacy: dict[str, set[str]] = {}
    for line in data_file("legacy-releases.txt").read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            legacy.setdefault(words[0], set()).add(words[1])
    return legacy


def test_every_stored_platform_is_read_as_today() -> None:
    # "macosx_64" was every macosx_N_M_x86_64 tag, cut at its last underscore
    stored = Counter(
        p
        for project in feed().projects
        for release in project.releases
        for verdict in release.targets.values()
        for p in verdict.platforms
    )
    assert "macosx_64" not in stored
    assert stored["macosx_x86_64"] > 3000
    for name in stored:
        assert normalise_platform(name) == (name,), name
    markupsafe = next(p for p in feed().projects if p.name == "markupsafe")
    release = next(r for r in markupsafe.releases if r.version == "3.0.3")
    assert "macosx_x86_64" in release.targets["3.14t"].platforms


def test_no_release_made_by_a_misread_legacy_name_is_left() -> None:
    legacy = _legacy_releases()
    assert len(legacy) >= 9 and {"selenium", "thrift", "pyvmomi"} <= set(legacy)
    for project in feed().projects:
        versions = {r.version for r in project.releases}
        assert not versions & legacy.get(project.name, set()), project.name


def test_each_current_release_is_the_highest_valid_version() -> None:
    legacy = _legacy_releases()
    for project, summary in zip(feed().projects, feed().summaries, strict=True):
        live = [r for r in project.releases if not r.yanked]
        finals = [r for r in live if not Version(r.version).is_prerelease]
        for release in project.releases:  # every stored version is PEP 440, normalised
            assert str(Version(release.version)) == release.version, project.name
        candidates = finals or live or project.releases
        if not candidates:
            assert summary.version is None
            continue
        highest = max(candidates, key=lambda r: Version(r.version))
        assert summary.version == highest.version, project.name
        assert summary.version not in legacy.get(project.name, set()), project.name
    selenium = next(s for s in feed().summaries if s.name == "selenium")
    assert selenium.version is not None and Version(selenium.version).major >= 4
