"""Change detection (tracker.documents.changes) over fixture histories, every kind; claim
checks on fixture probes; and real changes pinned from the shipped snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.archive import Archive
from tracker.changes_index import ChangeIndex, ChangeQuery, parse_since
from tracker.documents import (
    CLASSIFIER_PREFIX,
    Change,
    Culprit,
    ModuleLine,
    ProbeBlock,
    ProjectDocument,
    ReleaseDocument,
    TargetVerdict,
    changes_of,
    claims_of,
    project_changes,
)
from tracker.models import Evidence, Status
from tracker.stress.result import StressBlock
from tracker.vocabulary import CHANGE_RECORDS, ChangeKind, ClaimFlag, StressStatus

T = "3.14t"


def verdict(status: Status, **kw: object) -> TargetVerdict:
    evidence = Evidence.PROBE if "probed_at" in kw or kw.pop("probe", False) else Evidence.TAGS
    return TargetVerdict(status, evidence, **kw)  # type: ignore[arg-type]


def rel(
    version: str,
    status: Status | None = None,
    *,
    day: int = 1,
    target: str = T,
    yanked: bool = False,
    **kw: object,
) -> ReleaseDocument:
    targets = {} if status is None else {target: verdict(status, **kw)}
    return ReleaseDocument(
        version, yanked=yanked, uploaded=f"2026-11-{day:02d}T12:00:00Z", targets=targets
    )


def doc(
    *releases: ReleaseDocument, name: str = "demo", classifier: str | None = None
) -> ProjectDocument:
    return ProjectDocument(name, classifier=classifier, releases=list(releases))


def kinds(document: ProjectDocument, target: str = T) -> list[tuple[str, str, str]]:
    return sorted(
        (c.kind.value, c.previous, c.version) for c in changes_of(document) if c.target == target
    )


def test_every_kind_has_a_vocabulary_record() -> None:
    assert set(CHANGE_RECORDS) == set(ChangeKind)
    assert all(len(r.label) <= 9 for r in CHANGE_RECORDS.values())


def test_first_wheel_then_ready_then_regressed_then_fixed() -> None:
    history = doc(
        rel("5.0", Status.READY, day=5, probed_at="2026-11-20T00:00:00Z"),
        rel(
            "4.0",
            Status.GIL_REENABLED,
            day=4,
            probed_at="2026-11-20T00:00:00Z",
            culprits=[Culprit("demo._speedups", "demo")],
        ),
        rel("3.0", Status.READY, day=3, probed_at="2026-11-19T00:00:00Z"),
        rel("2.0", Status.WHEEL_ONLY, day=2),  # inferred from 3.0 (the newer on a tie)
        rel("1.0", Status.NO_FT_WHEEL, day=1),
    )
    assert kinds(history) == [
        ("first-ft-wheel", "1.0", "2.0"),
        ("fixed", "4.0", "5.0"),
        ("now-ready", "1.0", "2.0"),
        ("regressed", "3.0", "4.0"),
    ]
    regressed = next(c for c in changes_of(history) if c.kind is ChangeKind.REGRESSED)
    assert [c.module for c in regressed.culprits] == ["demo._speedups"]
    assert (regressed.probed, regressed.previous_probed) == ("2026-11-20", "2026-11-19")
    assert regressed.date == "2026-11-04T12:00:00Z"  # the newer release's upload time
    now_ready = next(c for c in changes_of(history) if c.kind is ChangeKind.NOW_READY)
    assert now_ready.evidence is Evidence.INFERRED


def test_target_dropped_and_ready_to_no_wheel_is_a_regression_too() -> None:
    history = doc(
        rel("3.0", Status.NO_FT_WHEEL, day=3),
        rel("2.0", Status.READY, day=2, probed_at="2026-11-20T00:00:00Z"),
        rel("1.0", Status.GIL_REENABLED, day=1, probed_at="2026-11-20T00:00:00Z"),
    )
    assert kinds(history) == [
        ("fixed", "1.0", "2.0"),
        ("regressed", "2.0", "3.0"),
        ("target-dropped", "2.0", "3.0"),
    ]


def test_a_wheel_regained_is_not_a_first_wheel() -> None:
    history = doc(
        rel("3.0", Status.WHEEL_ONLY, day=3),
        rel("2.0", Status.NO_FT_WHEEL, day=2),
        rel("1.0", Status.WHEEL_ONLY, day=1),
    )
    assert kinds(history) == [("target-dropped", "1.0", "2.0")]


def test_yanked_and_pre_releases_are_skipped() -> None:
    history = doc(
        rel("3.0", Status.READY, day=5, probed_at="2026-11-20T00:00:00Z"),
        rel("3.0rc1", Status.GIL_REENABLED, day=4, probed_at="2026-11-20T00:00:00Z"),
        rel("2.1", Status.GIL_REENABLED, day=3, yanked=True, probed_at="2026-11-20T00:00:00Z"),
        rel("2.0", Status.READY, day=2, probed_at="2026-11-20T00:00:00Z"),
        rel("1.0", Status.SDIST_ONLY, day=1),  # says nothing: no predecessor for 2.0
    )
    assert kinds(history) == []


def test_a_release_probed_on_one_target_only() -> None:
    new = ReleaseDocument(
        "2.0",
        uploaded="2026-11-02T00:00:00Z",
        targets={
            "3.14t": verdict(Status.READY, probed_at="2026-11-20T00:00:00Z"),
            "3.13t": verdict(Status.WHEEL_ONLY),  # never probed there, nothing to infer from
        },
    )
    old = ReleaseDocument(
        "1.0",
        uploaded="2026-11-01T00:00:00Z",
        targets={
            "3.14t": verdict(Status.GIL_REENABLED, probed_at="2026-11-20T00:00:00Z"),
            "3.13t": verdict(Status.NO_FT_WHEEL),
        },
    )
    history = doc(new, old)
    assert kinds(history, "3.14t") == [("fixed", "1.0", "2.0")]
    assert kinds(history, "3.13t") == [("first-ft-wheel", "1.0", "2.0")]
    assert kinds(history, "3.15t") == []


def stressed(version: str, stress: StressStatus, day: int) -> ReleaseDocument:
    return rel(
        version,
        Status.READY,
        day=day,
        probed_at="2026-11-20T00:00:00Z",
        stress=StressBlock(stress, stressed_at="2026-11-21T00:00:00Z"),
    )


def test_races_found_and_fixed_on_fixture_stress_results() -> None:
    history = doc(
        stressed("4.0", StressStatus.PASSED, 4),
        stressed("3.0", StressStatus.RACES, 3),
        stressed("2.0", StressStatus.PASSED, 2),
        stressed("1.0", StressStatus.UNSAFE_TESTS, 1),
    )
    assert kinds(history) == [("races-fixed", "3.0", "4.0"), ("races-found", "2.0", "3.0")]
    found = next(c for c in changes_of(history) if c.kind is ChangeKind.RACES_FOUND)
    assert (found.previous_stress, found.stress) == ("passed", "races")


def test_index_filters_since_target_kind_project() -> None:
    history = doc(
        rel("3.0", Status.NO_FT_WHEEL, day=20),
        rel("2.0", Status.READY, day=10, probed_at="2026-11-20T00:00:00Z"),
        rel("1.0", Status.NO_FT_WHEEL, day=1),
    )
    other = doc(
        rel("2.0", Status.WHEEL_ONLY, day=15), rel("1.0", Status.NO_FT_WHEEL, day=2), name="other"
    )
    index = ChangeIndex([project_changes(history), project_changes(other)])
    dates = [c.date for c in index.changes]
    assert dates == sorted(dates, reverse=True)
    assert {c.project for c in index.select(ChangeQuery(since="2026-11-12"))} == {"demo", "other"}
    assert [c.version for c in index.select(ChangeQuery(since="2026-11-16"))] == ["3.0", "3.0"]
    assert [
        c.kind for c in index.select(ChangeQuery(kinds=frozenset({ChangeKind.FIRST_FT_WHEEL})))
    ] == [ChangeKind.FIRST_FT_WHEEL, ChangeKind.FIRST_FT_WHEEL]
    assert {c.project for c in index.select(ChangeQuery(projects=frozenset({"other"})))} == {
        "other"
    }
    assert index.select(ChangeQuery(target="3.13t")) == []
    assert index.counts()["regressed"] == 1


def test_parse_since() -> None:
    assert parse_since("2026-11-30T00:00:00Z") == "2026-11-30T00:00:00Z"
    with pytest.raises(ValueError, match="neither an ISO date"):
        parse_since("last week")


# -- claims -------------------------------------------------------------------------------

STABLE = CLASSIFIER_PREFIX + "3 - Stable"


def probed(status: Status, *modules: tuple[str, str, str]) -> TargetVerdict:
    return TargetVerdict(
        status,
        Evidence.PROBE,
        probed_at="2026-11-20T00:00:00Z",
        probe=ProbeBlock(modules=[ModuleLine(n, o, owner=w) for n, o, w in modules]),
    )


def test_a_module_that_declares_support_and_one_that_does_not() -> None:
    history = doc(
        ReleaseDocument(
            "1.0",
            targets={
                T: probed(
                    Status.GIL_REENABLED,
                    ("demo._fast", "ok", "demo"),
                    ("demo._slow", "gil-reenabled", "demo"),
                    (
                        "dep._c",
                        "gil-reenabled",
                        "dep",
                    ),  # a dependency's module is not the wheel's claim
                )
            },
        )
    )
    (check,) = claims_of(history)
    assert check.declared == ["demo._fast"]
    assert check.undeclared == ["demo._slow"]
    assert check.flags == [ClaimFlag.WHEEL_UNDECLARED]
    assert check.classifier is None


def test_a_classifier_that_lies_and_one_that_is_missing() -> None:
    lying = doc(
        ReleaseDocument(
            "1.0", targets={T: probed(Status.GIL_REENABLED, ("demo._c", "gil-reenabled", "demo"))}
        ),
        classifier=STABLE,
    )
    assert claims_of(lying)[0].flags == [
        ClaimFlag.CLASSIFIER_OVERCLAIMS,
        ClaimFlag.WHEEL_UNDECLARED,
    ]
    assert claims_of(lying)[0].classifier == "3 - Stable"
    missing = doc(
        ReleaseDocument("1.0", targets={T: probed(Status.READY, ("demo._c", "ok", "demo"))})
    )
    assert claims_of(missing)[0].flags == [ClaimFlag.CLASSIFIER_MISSING]
    honest = doc(
        ReleaseDocument("1.0", targets={T: probed(Status.READY, ("demo._c", "ok", "demo"))}),
        classifier=STABLE,
    )
    assert claims_of(honest)[0].flags == []
    # an older release is not judged against today's classifier
    old = doc(
        ReleaseDocument("2.0", targets={T: probed(Status.READY)}),
        ReleaseDocument("1.0", targets={T: probed(Status.GIL_REENABLED)}),
        classifier=STABLE,
    )
    assert [c.flags for c in claims_of(old)] == [[], []]
    assert project_changes(old).current_flags() == set()


# -- the shipped snapshot -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Archive:
    return Archive(Path(__file__).parent.parent / "data" / "snapshot.json.gz")


def changes_of_project(archive: Archive, name: str) -> list[Change]:
    document = archive.document(name)
    assert document is not None
    return changes_of(document)


def has(changes: list[Change], kind: ChangeKind, target: str, previous: str, version: str) -> bool:
    return any(
        (c.kind, c.target, c.previous, c.version) == (kind, target, previous, version)
        for c in changes
    )


def test_real_changes_in_the_shipped_snapshot(shipped: Archive) -> None:
    numpy = changes_of_project(shipped, "numpy")
    # numpy 2.4.6 was its last release with cp313t wheels (DESIGN.md)
    dropped = [c for c in numpy if c.kind is ChangeKind.TARGET_DROPPED and c.target == "3.13t"]
    assert [(c.previous, c.status) for c in dropped][-1:] == [("2.4.6", Status.NO_FT_WHEEL)]
    assert any(c.kind is ChangeKind.FIRST_FT_WHEEL and c.target == "3.15t" for c in numpy)
    pandas = changes_of_project(shipped, "pandas")
    assert has(pandas, ChangeKind.FIXED, "3.13t", "2.3.3", "3.0.0")


def test_a_real_regression_in_the_shipped_snapshot(shipped: Archive) -> None:
    # dbus-fast 4.2.0 was ready on 3.14t; 4.2.1 ships binary wheels without cp314t
    changes = changes_of_project(shipped, "dbus-fast")
    assert has(changes, ChangeKind.REGRESSED, "3.14t", "4.2.0", "4.2.1")
    assert has(changes, ChangeKind.TARGET_DROPPED, "3.14t", "4.2.0", "4.2.1")


def test_the_cli_lists_changes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tracker.commands.changes import changes

    runner = CliRunner(env={"FTTRACK_CACHE_DIR": str(tmp_path)})
    result = runner.invoke(
        changes,
        ["--since", "all", "--kind", "regressed", "--target", "3.14t", "--json", "dbus-fast"],
    )
    assert result.exit_code == 0, result.output
    import json

    found = json.loads(result.output)
    assert [(c["previous"], c["version"], c["status"]) for c in found][-1:] == [
        ("4.2.0", "4.2.1", "no-ft-wheel")
    ]
