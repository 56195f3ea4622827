"""The audit judges what a lockfile installs on the target: edge markers, extras, groups,
the lock's own files, and pins newer than the verdict data (the shipped snapshot).

The locks are real: ``uv lock`` and Poetry 1.8 of the pyproject.toml beside each
(tests/assets/lockfiles/regenerate.sh).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from testkit.indexserver import IndexServer

from .helpers import LOCKFILES, run_cli

SNAPSHOT = Path(__file__).resolve().parents[2] / "data" / "snapshot.json.gz"
EDGE_UV = LOCKFILES / "edge-uv" / "uv.lock"
EDGE_POETRY = LOCKFILES / "edge-poetry1" / "poetry.lock"


def _audit(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    run = run_cli(
        ["audit", *args, "--format", "json"], env={"FTTRACK_SNAPSHOT": str(SNAPSHOT), **(env or {})}
    )
    assert run.code in (0, 1), run.stderr
    return run.code, json.loads(run.stdout), run.stderr


def _rows(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in document["dependencies"]}


def _skipped(document: dict[str, Any]) -> dict[str, str]:
    return {row["name"]: row["reason"] for row in document["skipped"]}


@pytest.mark.parametrize("lock", [EDGE_UV, EDGE_POETRY], ids=["uv", "poetry1"])
def test_packages_behind_markers_that_fail_on_the_target_are_skipped_not_judged(
    lock: Path,
) -> None:
    _, document, _ = _audit(str(lock), "--target", "3.14t", "--platform", "manylinux_x86_64")
    rows, skipped = _rows(document), _skipped(document)
    for name, marker in [
        ("pywin32", "sys_platform"),
        ("ruamel-yaml-clib", "3.14"),
        ("pandas", "3.13"),
    ]:
        assert name not in rows, name
        assert "not installed on 3.14t manylinux_x86_64" in skipped[name]
        assert marker in skipped[name]
    assert (
        "sys_platform == 'win32'" in skipped["pywin32"]
        or 'sys_platform == "win32"' in (skipped["pywin32"])
    )
    assert "required by jupyter-core" in skipped["pywin32"]
    assert "ruamel-yaml" in rows and "sqlalchemy" in rows


def test_what_a_marker_keeps_out_on_one_target_counts_on_another() -> None:
    _, older, _ = _audit(str(EDGE_UV), "--target", "3.13t", "--platform", "manylinux_x86_64")
    assert "ruamel-yaml-clib" in _rows(older)  # only below 3.14
    _, windows, _ = _audit(str(EDGE_UV), "--target", "3.14t", "--platform", "win_amd64")
    pywin32 = _rows(windows)["pywin32"]
    assert pywin32["blocks"] and pywin32["status"] == "no-ft-wheel"
    assert pywin32["required_by"] == [["jupyter-core 5.7.2", "edgedemo"]]


def test_a_forked_package_counts_only_in_the_version_its_edge_chooses() -> None:
    _, document, _ = _audit(str(EDGE_UV), "--target", "3.14t", "--platform", "manylinux_x86_64")
    assert _rows(document)["numpy"]["version"] == "2.5.5"
    assert "python_full_version < '3.12'" in _skipped(document)["numpy"]


def test_extras_and_groups_are_chosen_as_uv_does() -> None:
    _, everything, _ = _audit(str(EDGE_UV), "--target", "3.14t")
    assert {"mkdocs", "pytest"} <= set(_rows(everything))
    assert _rows(everything)["pyyaml"]["required_by"][0] == ["mkdocs 1.6.1", "edgedemo[docs]"]
    _, lean, _ = _audit(str(EDGE_UV), "--target", "3.14t", "--no-dev", "--extra", "docs")
    assert "mkdocs" in _rows(lean) and "pytest" not in _rows(lean)
    assert "only in the group 'dev' of edgedemo" in _skipped(lean)["pytest"]
    for option, wrong in [("--extra", "extra 'nosuch'"), ("--group", "group 'nosuch'")]:
        run = run_cli(["audit", str(EDGE_UV), option, "nosuch"])
        assert run.code == 2 and f"no {wrong}" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1


def test_poetry1_without_its_pyproject_walks_from_what_nothing_requires(tmp_path: Path) -> None:
    lock = tmp_path / "poetry.lock"
    shutil.copy(EDGE_POETRY, lock)
    _, document, stderr = _audit(str(lock), "--target", "3.14t", "--platform", "manylinux_x86_64")
    assert "pywin32" in _skipped(document) and "ruamel-yaml-clib" in _skipped(document)
    assert "pysocks" in _rows(document)  # every extra of a top package counts
    assert "nothing requires" in stderr


def test_a_pin_newer_than_the_data_is_judged_from_the_files_the_lock_lists() -> None:
    _, document, _ = _audit(str(EDGE_UV), "--target", "3.14t", "--all")
    idna = _rows(document)["idna"]  # 3.21: the snapshot's newest is 3.20
    assert (idna["status"], idna["evidence"]) == ("pure", "tags")
    assert "judged from the files" in idna["detail"] and "uv.lock lists" in idna["detail"]


def test_a_pin_newer_than_the_data_is_judged_from_the_index_offline_never_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("lxml==6.2.1\nnumpy==2.5.5\n")
    with IndexServer(metadata_files=False) as server:  # file names are all it reads
        server.add_file("lxml", "lxml-6.2.1-cp314-cp314t-manylinux_2_28_x86_64.whl", b"")
        server.add_file("lxml", "lxml-6.2.1.tar.gz", b"")
        monkeypatch.delenv("FTTRACK_OFFLINE")
        env = {"FTTRACK_INDEX_URL": server.index_url}
        code, document, _ = _audit(str(requirements), "--target", "3.14t", env=env)
        lxml = _rows(document)["lxml"]
        assert code == 1 and lxml["blocks"]
        assert (lxml["status"], lxml["evidence"]) == ("gil-reenabled", "inferred")
        assert lxml["inferred_from"] and "the index lists" in lxml["detail"]
        assert server.requests_to("/simple/numpy/") == 0  # tracked pins cost no request
        server.clear_requests()
        code, document, stderr = _audit(
            str(requirements), "--target", "3.14t", "--offline", env=env
        )
        assert server.requests_to("/simple/lxml/") == 0
        assert _rows(document)["lxml"]["status"] == "unknown"
        assert "1 pin is unknown (offline" in stderr and "--probe-missing" in stderr


def test_an_edge_marker_nested_too_deep_is_one_line(tmp_path: Path) -> None:
    text = EDGE_UV.read_text()
    edge = "marker = \"platform_python_implementation != 'PyPy' and sys_platform == 'win32'\""
    assert edge in text
    deep = "(" * 150 + "sys_platform == 'win32'" + ")" * 150
    lock = tmp_path / "uv.lock"
    lock.write_text(text.replace(edge, f'marker = "{deep}"'))
    run = run_cli(["audit", str(lock)])
    assert run.code == 2 and "jupyter-core -> pywin32: markers nested deeper" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["pdm.lock", "poetry2.lock"])
def test_locks_with_their_own_markers_still_say_why_a_package_is_there(name: str) -> None:
    _, document, _ = _audit(str(LOCKFILES / name), "--target", "3.14t", "--all")
    rows = _rows(document)
    (chain,) = rows["pysocks"]["required_by"]
    assert chain[0] == f"requests {rows['requests']['version']}"
    # the project asks for requests itself: pdm.lock names no project, the
    # pyproject.toml beside poetry2.lock does
    assert rows["requests"]["required_by"] == ([] if name == "pdm.lock" else [["demo"]])
