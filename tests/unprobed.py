"""A real project of the shipped snapshot as it was before its probes on one target:
the shape a release published after the last build has (tags only, nothing inferred
from a probe of it). A complete snapshot round probes every first wheel, so the
"untested upgrade" hint has no live example there."""

from __future__ import annotations

import msgspec

from tracker.documents import ProjectDocument, ReleaseDocument, TargetVerdict, summarized
from tracker.models import Evidence, Status
from tracker.verdicts.snapshot import SnapshotSource


def without_probes(document: ProjectDocument, target: str) -> ProjectDocument:
    """``document`` with every probe on ``target`` taken back to what the tags say
    (a free-threaded wheel: ``wheel-only``), its summary computed again."""

    def untested(release: ReleaseDocument) -> ReleaseDocument:
        verdict = release.targets.get(target)
        if verdict is None or verdict.evidence is not Evidence.PROBE:
            return release
        tags = TargetVerdict(Status.WHEEL_ONLY, Evidence.TAGS, platforms=verdict.platforms)
        return msgspec.structs.replace(release, targets={**release.targets, target: tags})

    releases = [untested(r) for r in document.releases]
    return summarized(msgspec.structs.replace(document, releases=releases, summary=None))


class UnprobedSource(SnapshotSource):
    """The shipped snapshot with the probes of ``project`` on ``target`` taken back."""

    def __init__(self, project: str, target: str) -> None:
        super().__init__()
        self.unprobed, self.target = project, target

    def project(self, name: str) -> ProjectDocument | None:
        """The document of ``name`` (without its probes when it is the unprobed project)."""
        document = super().project(name)
        if document is None or name != self.unprobed:
            return document
        return without_probes(document, self.target)

    def project_head(self, name: str) -> tuple[ProjectDocument, bool] | None:
        """The whole document of the unprobed project, the head of any other."""
        if name == self.unprobed:
            document = self.project(name)
            return None if document is None else (document, True)
        return super().project_head(name)
