"""Stress results in the audit: a note on each row that has one, counted in the summary,
and ``--fail-on races`` failing on a release whose stored stress status is races."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.store.helpers import T0, numpy_page, probe, six_page
from tests.stress.records import stress_result
from tracker.commands.audit_output import read_fail_on, read_fail_on_stress
from tracker.models import BLOCKING_STATUSES, Status
from tracker.store import open_store
from tracker.stress.result import StressStatus

from .helpers import run_cli

LOCK = "numpy==2.5.5\nsix==1.17.0\n"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """numpy 2.5.5 ready on 3.14t with races in its own tests; six 1.17.0 pure, passing."""
    url = f"sqlite:///{tmp_path / 'stress.db'}"
    store = open_store(url, seed=False)
    try:
        store.upsert_project_page("numpy", 1, None, numpy_page())
        store.upsert_project_page("six", 2, None, six_page())
        store.record_probe(probe(status=Status.READY))
        store.record_probe(probe("six", "1.17.0", status=Status.PURE, at=T0))
        store.record_stress(stress_result())
        store.record_stress(stress_result("six", "1.17.0", status=StressStatus.PASSED, tests_run=9))
    finally:
        store.close()
    return url


def _audit(db: str, *extra: str) -> tuple[int, str, str]:
    path = Path(db.removeprefix("sqlite:///")).with_name("requirements.txt")
    path.write_text(LOCK)
    argv = ["audit", str(path), "--db", db, "--target", "3.14t", "--platform",
            "manylinux_x86_64", *extra]  # fmt: skip
    run = run_cli(argv)
    return run.code, run.stdout, run.stderr


def test_each_row_notes_its_stress_result_and_the_summary_counts_them(db: str) -> None:
    code, out, err = _audit(db)
    assert code == 0, err  # a stress result never blocks by default
    assert "races in its own tests: 2 of 40 fail in 8 threads without the GIL" in out
    last = out.strip().splitlines()[-1]
    assert last == (
        "2 dependencies on 3.14t (manylinux_x86_64): 0 block, 0 likely block, 0 unknown, "
        "0 unproven, 2 ready; 1 with races in its own tests, 1 passing its own tests in threads"
    )
    shown = run_cli(["audit", "--help"]).stdout
    assert "races" in shown


def test_json_carries_the_stress_block(db: str) -> None:
    code, out, _ = _audit(db, "--format", "json")
    assert code == 0
    document = json.loads(out)
    rows = {d["name"]: d for d in document["dependencies"]}
    assert rows["numpy"]["status"] == "ready"
    assert rows["numpy"]["stress"]["status"] == "races"
    assert rows["numpy"]["stress"]["failing"]["tests/test_a.py::test_fill"] == "race"
    assert rows["six"]["stress"]["status"] == "passed"
    assert "fail_on_stress" not in document


def test_fail_on_races_fails_ci(db: str) -> None:
    code, out, err = _audit(db, "--fail-on", "races")
    assert code == 1, err
    assert "(1 fails --fail-on races)" in out
    code, out, _ = _audit(db, "--fail-on", "races", "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["fail_on_stress"] == ["races"]
    assert {d["name"]: d["blocks"] for d in document["dependencies"]} == {
        "numpy": True,
        "six": False,
    }
    assert _audit(db, "--fail-on", "deadlocked")[0] == 0
    assert _audit(db, "--fail-on", "threads:crashed,unsafe-tests")[0] == 0


def test_fail_on_words() -> None:
    assert read_fail_on("races") == BLOCKING_STATUSES  # stress words add to the defaults
    assert read_fail_on_stress("races") == {StressStatus.RACES}
    assert read_fail_on("none,races") == frozenset()
    assert read_fail_on("crashed") == {Status.CRASHED}
    assert read_fail_on_stress("crashed") == frozenset()  # the import status
    assert read_fail_on_stress("threads:crashed") == {StressStatus.CRASHED}
    with pytest.raises(ValueError, match="unknown stress status"):
        read_fail_on_stress("threads:bogus")
    with pytest.raises(ValueError, match="unknown status 'bogus'"):
        read_fail_on("bogus")
