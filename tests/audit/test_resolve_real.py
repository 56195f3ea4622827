"""The auditor on real shapes from the shipped snapshot: inferred verdicts, upgrade hints,
blame, honest counts and the default target."""

from __future__ import annotations

import pytest

from tests.unprobed import UnprobedSource
from tracker.archive import HEAD_RELEASES
from tracker.audit.report import AuditEntry, AuditReport
from tracker.audit.resolve import resolve
from tracker.datafiles import data_file
from tracker.documents import ProjectDocument
from tracker.models import Dependency, Evidence, Status
from tracker.verdicts.choose import TargetChoice, choose_target
from tracker.verdicts.interface import HeadSource
from tracker.verdicts.snapshot import SnapshotSource


@pytest.fixture(scope="module")
def source() -> SnapshotSource:
    return SnapshotSource(data_file("snapshot.json.gz"))


def _audit(source: SnapshotSource, *deps: Dependency, target: str = "3.14t") -> AuditReport:
    return resolve(deps, source, target=target, platform="manylinux_x86_64", input_name="r")


def _one(source: SnapshotSource, dep: Dependency, target: str = "3.14t") -> AuditEntry:
    (entry,) = _audit(source, dep, target=target).entries
    return entry


def test_default_target_is_the_newest_with_probes(source: SnapshotSource) -> None:
    assert source.probed_targets() == ("3.13t", "3.14t", "3.15t")
    assert choose_target(source) == TargetChoice("3.15t", True)


def test_an_unprobed_pin_takes_its_probed_neighbours_verdict(source: SnapshotSource) -> None:
    entry = _one(source, Dependency("lxml", "6.1.1"))
    assert entry.status is Status.GIL_REENABLED
    assert entry.evidence is Evidence.INFERRED
    assert entry.inferred_from == "6.1.3"
    assert entry.detail.startswith("likely gil-reenabled: 6.1.3 probed 2026-11-")
    report = _audit(source, Dependency("lxml", "6.1.1"))
    assert report.category(entry) == "likely" and report.blocks(entry)
    lenient = resolve(
        [Dependency("lxml", "6.1.1")],
        source,
        target="3.14t",
        platform="manylinux_x86_64",
        input_name="r",
        fail_on_likely=False,
    )
    assert lenient.blockers == () and lenient.categories()["likely"] == 1


def test_a_pure_package_blocked_by_a_dependency_names_it(source: SnapshotSource) -> None:
    entry = _one(source, Dependency("premailer", "3.10.0"))
    assert entry.status is Status.GIL_REENABLED and entry.evidence is Evidence.PROBE
    assert entry.detail.startswith("a dependency, lxml 6.1.3, re-enables the GIL")


def test_upgrade_hints_name_a_probed_ready_version(source: SnapshotSource) -> None:
    numpy = _one(source, Dependency("numpy", "2.4.6"), target="3.15t")
    assert numpy.status is Status.NO_FT_WHEEL
    assert numpy.first_ready_version is not None and numpy.first_ready_version.startswith("2.5.")
    assert not numpy.upgrade_untested and "untested" not in numpy.detail
    pyyaml = _one(source, Dependency("pyyaml", "6.0.3"), target="3.15t")
    assert (pyyaml.first_ready_version, pyyaml.upgrade_untested) == ("6.0.4", False)


def test_upgrade_hints_name_an_untested_wheel_when_nothing_is_ready(
    source: SnapshotSource,
) -> None:
    # torchrl as it was before its 3.14t wheels were probed (they wait for the large
    # probes, as a new release waits for the next build)
    torchrl = _one(UnprobedSource("torchrl", "3.14t"), Dependency("torchrl", "0.10.0"))
    assert torchrl.status is Status.NO_FT_WHEEL
    assert (torchrl.first_ready_version, torchrl.upgrade_untested) == ("0.11.0", True)
    assert "(untested" in torchrl.detail
    # probed now: no wheel the snapshot holds is left untested
    assert not _one(source, Dependency("torchrl", "0.10.0")).upgrade_untested


def test_no_hint_where_nothing_ships_a_wheel(source: SnapshotSource) -> None:
    for target in ("3.13t", "3.14t", "3.15t"):
        entry = _one(source, Dependency("aiokafka", None), target=target)
        assert entry.status is Status.NO_FT_WHEEL
        assert entry.first_ready_version is None
    arxiv = _one(source, Dependency("arxiv", None))
    assert arxiv.status is Status.GIL_REENABLED and arxiv.first_ready_version is None


def test_the_summary_counts_every_category(source: SnapshotSource) -> None:
    report = _audit(
        source,
        Dependency("lxml", "6.1.3"),  # blocker
        Dependency("lxml", "6.1.1"),  # likely blocker
        Dependency("no-such-project-here", "1.0"),  # unknown
        Dependency("numpy", "2.5.5"),  # ready (probed)
        Dependency("requests", None),  # pure: ready
    )
    assert report.categories() == {
        "blocker": 1,
        "likely": 1,
        "unknown": 1,
        "unproven": 0,
        "ready": 2,
    }
    line = report.summary_line()
    assert "5 dependencies on 3.14t (manylinux_x86_64)" in line
    assert "1 block (1 gil-reenabled), 1 likely block, 1 unknown, 0 unproven, 2 ready" in line


class _WholeHistories:
    """The shipped snapshot without heads: every project is read whole."""

    kind = "snapshot"

    def __init__(self, source: SnapshotSource) -> None:
        self._source = source

    def project(self, name: str):  # type: ignore[no-untyped-def]
        return self._source.project(name)

    def summaries(self):  # type: ignore[no-untyped-def]
        return self._source.summaries()

    def targets(self) -> tuple[str, ...]:
        return self._source.targets()

    def probed_targets(self) -> tuple[str, ...]:
        return self._source.probed_targets()

    def describe(self) -> str:
        return self._source.describe()

    def close(self) -> None:
        self._source.close()


def test_reading_heads_judges_every_pin_as_reading_whole_histories_does() -> None:
    """Pins inside, at the edge of and beyond the newest releases, loose ranges, unknown
    versions: the audit that reads heads (falling back to the whole history when the
    head cannot settle a pin) says exactly what reading every history whole says."""
    heads = SnapshotSource(data_file("snapshot.json.gz"))
    whole = SnapshotSource(data_file("snapshot.json.gz"))
    long_ones = [s.name for s in heads.summaries() if s.release_count > HEAD_RELEASES][::25]
    deps = []
    for name in long_ones:
        versions = [r.version for r in (whole.project(name) or ProjectDocument(name)).releases]
        for at in {0, 3, HEAD_RELEASES - 1, HEAD_RELEASES, HEAD_RELEASES + 4, len(versions) - 1}:
            if at < len(versions):
                deps.append(Dependency(name, versions[at]))
        deps.append(Dependency(name, "0.0.0.dev0"))  # not tracked
        deps.append(Dependency(name, None, specifier=f"<={versions[-1]}"))
    assert len(deps) > 600
    assert isinstance(heads, HeadSource) and not isinstance(_WholeHistories(whole), HeadSource)
    for target in ("3.13t", "3.14t", "3.15t"):
        fast = resolve(deps, heads, target=target, platform="manylinux_x86_64", input_name="r")
        slow = resolve(
            deps, _WholeHistories(whole), target=target, platform="manylinux_x86_64", input_name="r"
        )
        assert fast.entries == slow.entries, target
    inferred = [e for e in fast.entries if e.evidence is Evidence.INFERRED]
    assert inferred, "the sample has pins whose verdict is inferred"
