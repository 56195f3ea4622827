"""Crawls against a real HTTP index on loopback: classification, change detection, faults."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.indexserver import Fault, IndexServer
from tracker.crawl import crawl_once, probe_candidates
from tracker.store.engine import Store

NAMES = ["numpy", "six", "docopt", "pyyaml"]


def _targets(store: Store, name: str, version: str) -> dict[str, str]:
    document = store.project_document(name)
    assert document is not None
    release = next(r for r in document.releases if r.version == version)
    return {t: v.status for t, v in release.targets.items()}


def test_crawl_classifies_real_files(recorded_index: IndexServer, store: Store) -> None:
    report = crawl_once(NAMES, store, index_url=recorded_index.index_url, with_metadata=False)
    assert report.fetched == 4 and not report.failed and not report.not_found
    # numpy's real files: cp313t wheels up to 2.4.6, none from 2.5 on; cp314t and cp315t from 2.5.x
    assert _targets(store, "numpy", "2.4.6")["3.13t"] == "wheel-only"
    assert _targets(store, "numpy", "2.5.5")["3.13t"] == "no-ft-wheel"
    assert _targets(store, "numpy", "2.5.5")["3.14t"] == "wheel-only"
    assert _targets(store, "numpy", "2.5.5")["3.15t"] == "wheel-only"
    assert _targets(store, "six", "1.17.0")["3.14t"] == "pure"
    docopt = store.project_document("docopt")
    assert docopt is not None
    assert {v.status for r in docopt.releases for v in r.targets.values()} == {"sdist-only"}
    jobs = {(j.project, j.target) for j in probe_candidates(store, ["3.13t", "3.14t"], names=NAMES)}
    # numpy's and pyyaml's current releases have cp314t wheels and no cp313t ones
    assert jobs == {("numpy", "3.14t"), ("pyyaml", "3.14t")}


def test_second_crawl_fetches_and_updates_nothing(
    recorded_index: IndexServer, store: Store
) -> None:
    crawl_once(NAMES, store, index_url=recorded_index.index_url, with_metadata=False)
    before = [store.project_json(n) for n in NAMES]
    sent = recorded_index.body_bytes_sent()
    report = crawl_once(NAMES, store, index_url=recorded_index.index_url, with_metadata=False)
    assert report.fetched == 0 and report.unchanged == 4 and report.new_releases == []
    assert recorded_index.body_bytes_sent() == sent, "unchanged pages were not re-sent"
    assert [store.project_json(n) for n in NAMES] == before
    recorded_index.bump("six")
    report = crawl_once(NAMES, store, index_url=recorded_index.index_url, with_metadata=False)
    assert report.fetched == 1 and report.unchanged == 3


def test_faults_are_survived_and_nothing_stored_is_lost(
    recorded_index: IndexServer, store: Store, tmp_path: Path
) -> None:
    crawl_once(NAMES, store, index_url=recorded_index.index_url, with_metadata=False)
    before = store.project_document("numpy")
    for name in NAMES:
        recorded_index.bump(name)
    recorded_index.add_fault("/simple/numpy/", Fault("malformed", times=None))
    recorded_index.add_fault("/simple/six/", Fault("status", status=429, retry_after="0"))
    recorded_index.add_fault("/simple/docopt/", Fault("status", status=503))
    recorded_index.add_fault("/simple/pyyaml/", Fault("truncate", times=None))
    report = crawl_once(NAMES, store, index_url=recorded_index.index_url, with_metadata=False)
    assert set(report.failed) == {"numpy", "pyyaml"}
    assert "JSON" in report.failed["numpy"]
    assert report.fetched == 2  # six and docopt recovered after their retryable faults
    assert store.project_document("numpy") == before
    with sqlite3.connect(tmp_path / "fttrack.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_unknown_project_is_reported_not_raised(recorded_index: IndexServer, store: Store) -> None:
    report = crawl_once(["no-such-project"], store, index_url=recorded_index.index_url)
    assert report.not_found == ["no-such-project"]


def test_concurrent_page_writes_queue_instead_of_failing(store: Store) -> None:
    """Many pages stored at once from the crawler's threads: none is lost to a locked database."""
    import json

    from tests.service.conftest import ASSETS

    page = json.loads((ASSETS / "numpy.json").read_text())
    names = [f"copy-{i}" for i in range(24)]
    with IndexServer() as server:
        for name in names:
            server.add_recorded_document(dict(page, name=name), name)
        report = crawl_once(
            names, store, index_url=server.index_url, concurrency=12, with_metadata=False
        )
    assert report.failed == {} and report.fetched == len(names)
    assert store.project_count() == len(names)


def test_probed_releases_are_not_queued_again_unless_asked(
    recorded_index: IndexServer, store: Store
) -> None:
    from tracker.models import ProbeResult, Status

    crawl_once(["numpy"], store, index_url=recorded_index.index_url, with_metadata=False)
    [job] = probe_candidates(store, ["3.14t"], names=["numpy"])
    store.record_probe(
        ProbeResult(project="numpy", version=job.version, target="3.14t", platform="manylinux_x86_64",
                    status=Status.IMPORT_FAILED, probed_at="2026-11-25T00:00:00+00:00")
    )  # fmt: skip
    assert probe_candidates(store, ["3.14t"], names=["numpy"]) == []
    assert probe_candidates(store, ["3.14t"], names=["numpy"], again=["import-failed"]) == [job]
    assert probe_candidates(store, ["3.14t"], names=["numpy"], again=["crashed"]) == []


def test_newest_release_with_a_wheel_for_each_target(
    recorded_index: IndexServer, store: Store
) -> None:
    crawl_once(["numpy"], store, index_url=recorded_index.index_url, with_metadata=False)
    jobs = probe_candidates(store, ["3.13t", "3.14t"], names=["numpy"], newest_with_wheel=True)
    by_target = {j.target: j.version for j in jobs}
    assert by_target["3.13t"] == "2.4.6"  # numpy's last release with cp313t wheels
    assert by_target["3.14t"] == "2.5.5"


def test_pure_releases_that_require_binary_projects_are_probed(
    store: Store, tmp_path: Path
) -> None:
    from testkit.wheelbuild import write_wheel

    wheels = tmp_path / "wheels"
    binary = write_wheel(
        wheels, "ftbin", "1.0", "cp314-cp314t-manylinux_2_17_x86_64", {"ftbin/__init__.py": b""}
    )
    pure = write_wheel(
        wheels, "ftpure", "1.0", "py3-none-any", {"ftpure/__init__.py": b"import ftbin\n"},
        requires=("ftbin>=1", "pytest; extra == 'test'"),
    )  # fmt: skip
    lonely = write_wheel(wheels, "ftlonely", "1.0", "py3-none-any", {"ftlonely/__init__.py": b""})
    outer = write_wheel(
        wheels, "ftouter", "1.0", "py3-none-any", {"ftouter/__init__.py": b""}, requires=("ftpure",)
    )
    with IndexServer() as server:
        for wheel in (binary, pure, lonely, outer):
            server.add_wheel_file(wheel)
        names = ["ftbin", "ftpure", "ftlonely", "ftouter"]
        report = crawl_once(names, store, index_url=server.index_url)
    assert report.fetched == 4
    with store.session_scope() as session:
        from tracker.store.queries import get_project

        project = get_project("ftpure", session=session)
        assert project is not None and project.requires == ["ftbin"]
    plain = {(j.project, j.target) for j in probe_candidates(store, ["3.14t"])}
    assert plain == {("ftbin", "3.14t")}
    wider = {
        (j.project, j.target)
        for j in probe_candidates(store, ["3.14t"], pure_with_binary_deps=True)
    }
    assert wider == {("ftbin", "3.14t"), ("ftpure", "3.14t")}


# -- hostile pages and a refusing database: one project fails, the crawl goes on -----------


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store on a SQLite file, or on a private schema of the real PostgreSQL."""
    from tests.store.helpers import pg_schema_url
    from tracker.store.engine import open_store

    if request.param == "sqlite":
        with open_store(f"sqlite:///{tmp_path / 'fttrack.db'}") as opened:
            yield opened
    else:
        with pg_schema_url() as url, open_store(url) as opened:
            yield opened


def _six_page() -> dict[str, Any]:
    from tests.service.conftest import ASSETS

    page: dict[str, Any] = json.loads((ASSETS / "six.json").read_text())
    return page


def _with_file(page: dict[str, Any], name: str, **changes: Any) -> dict[str, Any]:
    """``page`` renamed to ``name``, with one more file (the last one, changed)."""
    files = [*page["files"], {**page["files"][-1], **changes}]
    return {**page, "name": name, "files": files}


def _assert_one_line(reason: str) -> None:
    assert "\n" not in reason and len(reason) <= 300
    assert "Traceback" not in reason and "[SQL" not in reason and "INSERT" not in reason


def test_a_hostile_page_fails_alone_and_the_crawl_goes_on(
    any_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    page = _six_page()
    good = [f"good{i}" for i in range(6)]
    hostile = {
        "digits": _with_file(page, "digits", filename=f"digits-1.{'9' * 4301}-py3-none-any.whl"),
        "nul": _with_file(page, "nul", filename="nul-1.0-py3-none-any\x00x.whl"),
        "impostor": {**page, "name": "good0"},  # the page of another project
    }
    with IndexServer() as server:
        for name in good:
            server.add_recorded_document({**page, "name": name}, name)
        for name, document in hostile.items():
            server.add_recorded_document(document, name)
        # a huge size is not a size: the page is stored without it
        server.add_recorded_document(_with_file(page, "huge", size=10**30), "huge")
        names = [*good[:3], *hostile, "huge", *good[3:]]
        with caplog.at_level(logging.WARNING, logger="tracker.crawl"):
            report = crawl_once(names, any_store, index_url=server.index_url, concurrency=2,
                                with_metadata=False)  # fmt: skip
    assert set(report.failed) == set(hostile)
    assert "4,300 digits" in report.failed["digits"]
    assert "control character" in report.failed["nul"]
    assert "good0" in report.failed["impostor"]
    for reason in report.failed.values():
        _assert_one_line(reason)
    assert report.fetched == len(good) + 1
    for name in [*good, "huge"]:
        stored = any_store.project_document(name)
        assert stored is not None and stored.name == name
        assert any(r.version == "1.17.0" for r in stored.releases)
    for name in hostile:
        assert any_store.project_document(name) is None
    logged = [r.getMessage() for r in caplog.records if r.name == "tracker.crawl"]
    assert sorted(m.split(" failed:")[0] for m in logged) == sorted(
        f"crawl of {n}" for n in hostile
    )


def test_a_database_refusing_one_project_fails_only_that_project(
    any_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlalchemy as sa

    with any_store.engine.begin() as connection:
        if any_store.dialect == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON projects WHEN NEW.name = 'refused' "
                "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
            )
        else:
            connection.execute(sa.text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                "IF NEW.name = 'refused' THEN RAISE EXCEPTION 'refused by a trigger'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            ))  # fmt: skip
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON projects "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
    page = _six_page()
    names = ["first", "refused", "last"]
    with IndexServer() as server:
        for name in names:
            server.add_recorded_document({**page, "name": name}, name)
        with caplog.at_level(logging.WARNING, logger="tracker.crawl"):
            report = crawl_once(names, any_store, index_url=server.index_url, with_metadata=False)
    assert list(report.failed) == ["refused"]
    assert "refused by a trigger" in report.failed["refused"]
    _assert_one_line(report.failed["refused"])
    assert report.fetched == 2
    assert any_store.project_document("first") is not None
    assert any_store.project_document("last") is not None
    assert any_store.project_document("refused") is None
    [record] = [r for r in caplog.records if r.name == "tracker.crawl"]
    assert record.exc_info is None and "\n" not in record.getMessage()


def test_sdist_only_current_releases_are_asked_for_once(
    recorded_index: IndexServer, store: Store
) -> None:
    """docopt ships only an sdist: with ``sdist_builds`` its current release is a
    job on each target until a build has judged it there."""
    from tracker.documents import current_release
    from tracker.models import ProbeJob, ProbeResult, Status

    crawl_once(NAMES, store, index_url=recorded_index.index_url, with_metadata=False)
    docopt = store.project_document("docopt")
    assert docopt is not None
    current = current_release(docopt.releases)
    assert current is not None
    targets = ["3.13t", "3.14t"]
    plain = probe_candidates(store, targets, names=NAMES)
    assert all(job.project != "docopt" for job in plain)
    wanted = [ProbeJob("docopt", current.version, t) for t in targets]
    jobs = probe_candidates(store, targets, names=NAMES, sdist_builds=True)
    assert [job for job in jobs if job.project == "docopt"] == wanted
    store.record_probe(
        ProbeResult("docopt", current.version, "3.14t", "manylinux_x86_64", Status.PURE,
                    detail="built from sdist, no extension modules",
                    probed_at="2026-12-06T22:00:00+00:00")
    )  # fmt: skip
    jobs = probe_candidates(store, targets, names=NAMES, sdist_builds=True)
    assert [job for job in jobs if job.project == "docopt"] == wanted[:1]
    document = store.project_document("docopt")
    assert document is not None and document.summary is not None
    cell = document.summary.cell("3.14t")
    assert (cell.status, cell.evidence.value if cell.evidence else None) == (Status.PURE, "probe")
    assert cell.first_ready == current.version
