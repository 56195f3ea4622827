"""The Free Threading classifier as a per-release fact: claims judged release by release."""

from __future__ import annotations

from tracker.documents import (
    CLASSIFIER_PREFIX,
    ModuleLine,
    ProbeBlock,
    ProjectDocument,
    ReleaseDocument,
    TargetVerdict,
    claims_of,
    decode_document,
    encode,
    project_changes,
)
from tracker.models import Culprit, Evidence, Status


def _probed(version: str, status: Status, classifier: str | None) -> ReleaseDocument:
    culprits = [Culprit("demo._core", "demo")] if status is Status.GIL_REENABLED else []
    outcome = "gil-reenabled" if status is Status.GIL_REENABLED else "ok"
    probe = ProbeBlock(modules=[ModuleLine("demo._core", outcome, owner="demo")])
    verdict = TargetVerdict(
        status,
        Evidence.PROBE,
        platforms=["manylinux_x86_64"],
        culprits=culprits,
        probed_at="2026-11-01T12:00:00+00:00",
        probe=probe,
    )
    return ReleaseDocument(version, targets={"3.14t": verdict}, classifier=classifier)


def demo_project() -> ProjectDocument:
    """demo: 1.0 claims Beta and is ready; 2.0 claims Stable and re-enables the GIL;
    3.0 (current) is ready and dropped the classifier; 0.9's classifier was never read."""
    return ProjectDocument(
        "demo",
        classifier=None,  # the newest release's metadata has none
        releases=[
            _probed("3.0", Status.READY, ""),
            _probed("2.0", Status.GIL_REENABLED, "3 - Stable"),
            _probed("1.0", Status.READY, "2 - Beta"),
            _probed("0.9", Status.READY, None),
        ],
    )


def _flags(document: ProjectDocument) -> dict[str, list[str]]:
    return {c.version: [f.value for f in c.flags] for c in claims_of(document)}


def test_each_release_is_judged_on_its_own_classifier() -> None:
    assert _flags(demo_project()) == {
        "3.0": ["classifier-missing"],
        "2.0": ["classifier-overclaims", "wheel-undeclared"],
        "1.0": [],
        "0.9": [],  # not read: no classifier flag on a release that is not current
    }
    levels = {c.version: c.classifier for c in claims_of(demo_project())}
    assert levels == {"3.0": None, "2.0": "3 - Stable", "1.0": "2 - Beta", "0.9": None}


def test_current_release_without_its_own_classifier_has_the_projects() -> None:
    document = demo_project()
    document.releases[0].classifier = None
    document.classifier = CLASSIFIER_PREFIX + "2 - Beta"
    assert _flags(document)["3.0"] == []
    assert claims_of(document)[0].classifier == "2 - Beta"
    document.releases[0] = _probed("3.0", Status.GIL_REENABLED, None)
    assert _flags(document)["3.0"] == ["classifier-overclaims", "wheel-undeclared"]
    document.releases[0].classifier = ""  # its own says none: the project's does not count
    assert _flags(document)["3.0"] == ["wheel-undeclared"]


def test_counts_of_current_releases_read_only_the_current_release() -> None:
    changes = project_changes(demo_project())
    assert changes.version == "3.0"
    assert changes.current_flags() == {"classifier-missing"}
    flagged = {(c.version, f.value) for c in changes.claims for f in c.flags}
    assert ("2.0", "classifier-overclaims") in flagged


def test_an_unread_classifier_is_omitted_and_a_read_one_round_trips() -> None:
    assert b"classifier" not in encode(ReleaseDocument("1.0"))
    assert encode(ReleaseDocument("1.0", classifier="")) == b'{"version":"1.0","classifier":""}'
    document = demo_project()
    again = decode_document(encode(document))
    assert [r.classifier for r in again.releases] == ["", "3 - Stable", "2 - Beta", None]
