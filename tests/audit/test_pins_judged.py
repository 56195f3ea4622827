"""Pins judged as the input states them: a direct URL by its file, a blamed dependency at
the version the same input pins (on the shipped snapshot)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .helpers import run_cli

SNAPSHOT = Path(__file__).resolve().parents[2] / "data" / "snapshot.json.gz"


def _rows(tmp_path: Path, text: str) -> dict[str, dict[str, Any]]:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    run = run_cli(
        ["audit", str(path), "--target", "3.14t", "--format", "json", "--offline"],
        env={"FTTRACK_SNAPSHOT": str(SNAPSHOT)},
    )
    assert run.code in (0, 1), run.stderr
    return {row["name"]: row for row in json.loads(run.stdout)["dependencies"]}


def test_a_wheel_url_is_judged_by_the_tags_of_its_file(tmp_path: Path) -> None:
    rows = _rows(
        tmp_path,
        "torch @ https://user:S3cret@wheels.example/cpu/torch-1.7.0%2Bcpu-cp37-cp37m-linux_x86_64.whl\n"
        "https://files.example/a/six-1.17.0-py2.py3-none-any.whl\n",
    )
    torch = rows["torch"]
    assert (torch["version"], torch["status"], torch["evidence"]) == (
        "1.7.0+cpu",
        "no-ft-wheel",
        "tags",
    )
    assert torch["blocks"] and "the file the URL names" in torch["detail"]
    assert "S3cret" not in json.dumps(rows)
    assert rows["six"]["status"] == "pure"


def test_an_sdist_url_of_an_untracked_project_is_sdist_only(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "nosuchproj @ https://files.example/nosuchproj-1.0.tar.gz\n")
    assert rows["nosuchproj"]["status"] == "sdist-only" and rows["nosuchproj"]["blocks"]


def test_blame_names_the_version_the_input_pins_and_its_own_verdict(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "premailer==3.10.0\nlxml==6.1.1\n")
    detail = rows["premailer"]["detail"]
    assert "lxml 6.1.1 (pinned here: likely gil-reenabled)" in detail
    assert "6.1.3" not in detail
    alone = _rows(tmp_path, "premailer==3.10.0\n")["premailer"]["detail"]
    assert "(pinned here" not in alone and "lxml" in alone


def test_an_upgrade_hint_names_the_range_before_the_target_was_dropped(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("markupsafe==2.1.5\n")
    run = run_cli(
        ["audit", str(path), "--target", "3.13t", "--format", "json", "--offline"],
        env={"FTTRACK_SNAPSHOT": str(SNAPSHOT)},
    )
    (row,) = json.loads(run.stdout)["dependencies"]
    assert (row["first_ready_version"], row["upgrade_until"]) == ("3.0.0", "3.0.3")
    assert "3.0.4 and later ship no 3.13t wheel" in row["detail"]
    on_314t = run_cli(
        ["audit", str(path), "--target", "3.14t", "--format", "json", "--offline"],
        env={"FTTRACK_SNAPSHOT": str(SNAPSHOT)},
    )
    assert json.loads(on_314t.stdout)["dependencies"][0]["upgrade_until"] is None


def test_the_pure_wheel_shortcut_says_what_the_tag_rules_say() -> None:
    from tracker.audit.filetags import release_from_files
    from tracker.wheels import classify_file, release_tag_status

    for files in (
        ["x-1.0-py3-none-any.whl", "x-1.0.tar.gz"],
        ["x-1.0-py2.py3-none-any.whl"],
        ["x-1.0-cp314-cp314t-manylinux_2_28_x86_64.whl", "x-1.0-py3-none-any.whl"],
        ["x-1.0-cp312-cp312-win_amd64.whl"],
        ["x-1.0.tar.gz"],
    ):
        release = release_from_files("1.0", files, "3.14t", "manylinux_x86_64")
        assert release is not None
        expected = release_tag_status(
            [classify_file(f) for f in files], "3.14t", "manylinux_x86_64"
        )
        assert release.targets["3.14t"].status is expected, files


def test_an_sdist_that_did_not_build_says_why(tmp_path: Path) -> None:
    row = _rows(tmp_path, "pycrypto==2.6.1\n")["pycrypto"]
    assert (row["status"], row["evidence"]) == ("sdist-only", "probe")
    assert "the sdist did not build" in row["detail"] and "longintrepr.h" in row["detail"]
