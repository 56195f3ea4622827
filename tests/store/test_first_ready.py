"""First ready, first wheel and inferred verdicts on the real shapes of the shipped snapshot."""

from __future__ import annotations

import pytest

from tests.unprobed import without_probes
from tracker.archive import Archive
from tracker.datafiles import data_file
from tracker.documents import (
    ProjectDocument,
    ReleaseDocument,
    TargetVerdict,
    effective_verdict,
    first_ready,
    first_wheel,
    newest_first,
)
from tracker.models import Evidence, Status
from tracker.releases import is_prerelease, version_key
from tracker.vocabulary import WHEEL_STATUSES

TARGETS = ("3.13t", "3.14t", "3.15t")


@pytest.fixture(scope="module")
def archive() -> Archive:
    return Archive(data_file("snapshot.json.gz"))


def _document(archive: Archive, name: str) -> ProjectDocument:
    document = archive.document(name)
    assert document is not None, f"{name} is in the shipped snapshot"
    return document


def _release(document: ProjectDocument, version: str) -> ReleaseDocument:
    return next(r for r in document.releases if r.version == version)


@pytest.mark.parametrize("target", TARGETS)
def test_a_project_without_free_threaded_wheels_is_never_ready(
    archive: Archive, target: str
) -> None:
    aiokafka = _document(archive, "aiokafka")
    assert not any(r.targets[target].status in WHEEL_STATUSES for r in aiokafka.releases)
    assert aiokafka.releases[0].targets[target].status is Status.NO_FT_WHEEL
    assert first_ready(aiokafka.releases, target) is None
    assert first_wheel(aiokafka.releases, target) is None


def test_a_blocked_newest_release_means_no_first_ready(archive: Archive) -> None:
    arxiv = _document(archive, "arxiv")
    newest = arxiv.releases[0].targets["3.14t"]
    assert (newest.status, newest.evidence) == (Status.GIL_REENABLED, Evidence.PROBE)
    assert first_ready(arxiv.releases, "3.14t") is None


def test_numpy_on_313t_is_ready_from_its_first_2x_release_with_a_ready_wheel(
    archive: Archive,
) -> None:
    numpy = _document(archive, "numpy")
    ready = [
        r.version
        for r in numpy.releases
        if r.version.startswith("2.")
        and not is_prerelease(r.version)
        and not r.yanked
        and (v := effective_verdict(numpy.releases, r, "3.13t")) is not None
        and v.status is Status.READY
        and v.evidence in (Evidence.PROBE, Evidence.INFERRED)
    ]
    assert ready, "numpy 2.x has ready cp313t wheels in the snapshot"
    oldest = min(ready, key=version_key)
    assert first_ready(numpy.releases, "3.13t") == oldest
    # 2.5.x dropped cp313t wheels: they do not count, so 2.4.6 still ends the run
    assert _release(numpy, "2.5.5").targets["3.13t"].status is Status.NO_FT_WHEEL
    assert "2.4.6" in ready


def test_numpy_on_315t_is_first_ready_in_25x_on_a_probe(archive: Archive) -> None:
    numpy = _document(archive, "numpy")
    ready = first_ready(numpy.releases, "3.15t")
    assert ready is not None and ready.startswith("2.5.")
    verdict = _release(numpy, ready).targets["3.15t"]
    assert (verdict.status, verdict.evidence) == (Status.READY, Evidence.PROBE)


def test_an_unprobed_wheel_is_a_first_wheel_not_a_first_ready(archive: Archive) -> None:
    # torchrl as it was before its 3.14t wheels were probed
    torchrl = without_probes(_document(archive, "torchrl"), "3.14t")
    assert first_ready(torchrl.releases, "3.14t") is None
    wheel = first_wheel(torchrl.releases, "3.14t")
    assert wheel == "0.11.0"
    assert _release(torchrl, wheel).targets["3.14t"].status is Status.WHEEL_ONLY


def test_lxml_611_inherits_the_gil_verdict_of_613(archive: Archive) -> None:
    lxml = _document(archive, "lxml")
    own = _release(lxml, "6.1.1").targets["3.14t"]
    assert (own.status, own.evidence) == (Status.WHEEL_ONLY, Evidence.TAGS)
    verdict = effective_verdict(lxml.releases, _release(lxml, "6.1.1"), "3.14t")
    assert verdict is not None
    assert (verdict.status, verdict.evidence) == (Status.GIL_REENABLED, Evidence.INFERRED)
    assert verdict.inferred_from == "6.1.3"
    source = _release(lxml, "6.1.3").targets["3.14t"]
    assert verdict.culprits == source.culprits and verdict.probed_at == source.probed_at
    assert first_ready(lxml.releases, "3.14t") is None


def _rel(version: str, status: Status, *, yanked: bool = False) -> ReleaseDocument:
    evidence = Evidence.TAGS if status is Status.WHEEL_ONLY else Evidence.PROBE
    return ReleaseDocument(
        version, yanked=yanked, targets={"3.14t": TargetVerdict(status, evidence)}
    )


def test_first_ready_skips_pre_releases() -> None:
    releases = [  # newest first, as in a project document
        _rel("2.1.0", Status.READY),
        _rel("2.0.0", Status.READY),
        _rel("2.0.0rc1", Status.READY),
        _rel("1.9.0", Status.NO_FT_WHEEL),
    ]
    assert first_ready(releases, "3.14t") == "2.0.0"
    # documents hold releases newest first; newest_first puts any list in that order
    assert first_ready(newest_first(list(reversed(releases))), "3.14t") == "2.0.0"


def test_pre_releases_and_yanked_releases_never_count() -> None:
    releases = [_rel("1.0.0b2", Status.READY), _rel("1.0.0b1", Status.READY, yanked=True)]
    assert first_ready(releases, "3.14t") is None
    releases = [_rel("1.1", Status.CRASHED, yanked=True), _rel("1.0", Status.READY)]
    assert first_ready(releases, "3.14t") == "1.0"
