"""``fttrack audit`` without a path: the installed distributions of an environment.

A real venv (``python -m venv``) gets real fixture wheels installed by pip; the
audit reads them through that venv's interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from testkit.wheelbuild import build_pure_wheel

from .helpers import run_cli


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("installed")
    wheels = [
        build_pure_wheel(root / "wheels", "six", {"six.py": ""}, version="1.17.0"),
        build_pure_wheel(root / "wheels", "charset_normalizer",
                         {"charset_normalizer/__init__.py": ""}, version="3.5.3"),
        build_pure_wheel(root / "wheels", "ftlocal", {"ftlocal/__init__.py": ""}),
        build_pure_wheel(root / "wheels", "ftedit", {"ftedit/__init__.py": ""}),
    ]  # fmt: skip
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(_python(venv)), "install", "-q",
         "--no-index", "--no-deps", *map(str, wheels)],
        check=True,
    )  # fmt: skip
    # What pip writes for an editable install of a local project (PEP 610).
    (dist_info,) = venv.glob("lib/python*/site-packages/ftedit-1.0.dist-info")
    (dist_info / "direct_url.json").write_text(
        json.dumps({"url": "file:///src/ftedit", "dir_info": {"editable": True}})
    )
    return venv


def _audit(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    run = run_cli(["audit", *argv, "--target", "3.14t", "--format", "json"], env=env)
    assert "Traceback" not in run.stderr
    return run.code, (json.loads(run.stdout) if run.stdout else {}), run.stderr


def test_the_installed_distributions_of_another_interpreter_are_audited(venv: Path) -> None:
    code, document, stderr = _audit(["--python", str(_python(venv)), "--platform",
                                     "manylinux_x86_64"])  # fmt: skip
    assert code == 1, stderr  # charset-normalizer 3.5.3 re-enables the GIL on 3.14t
    rows = {d["name"]: d for d in document["dependencies"]}
    assert set(rows) == {"six", "charset-normalizer", "ftlocal"}
    assert {d["origin"] for d in document["dependencies"]} == {"installed"}
    assert rows["charset-normalizer"]["version"] == "3.5.3"
    assert rows["charset-normalizer"]["blocks"] is True
    assert rows["six"]["status"] == "pure" and rows["ftlocal"]["status"] == "unknown"
    assert document["input"].startswith(f"installed in {venv}")
    assert [s["name"] for s in document["skipped"]] == ["ftedit"]
    assert "editable" in document["skipped"][0]["reason"]


def test_the_active_virtualenv_is_the_default(venv: Path) -> None:
    code, document, _ = _audit([], env={"VIRTUAL_ENV": str(venv)})
    assert code == 1
    assert document["input"].startswith(f"installed in {venv}")


def test_without_a_venv_fttrack_reads_its_own_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    _, document, _ = _audit([])
    names = {d["name"] for d in document["dependencies"]}
    assert {"click", "packaging"} <= names
    assert document["input"].startswith(f"installed in {sys.prefix}")


def test_a_missing_interpreter_is_one_line_exit_2(tmp_path: Path) -> None:
    code, _, stderr = _audit(["--python", str(tmp_path / "nope" / "python")])
    assert code == 2
    assert stderr.count("\n") == 1 and "no such interpreter" in stderr


def test_an_interpreter_that_fails_is_one_line_exit_2(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'broken interpreter' >&2\nexit 3\n")
    fake.chmod(0o755)
    code, _, stderr = _audit(["--python", str(fake)])
    assert code == 2
    assert stderr.count("\n") == 1 and "broken interpreter" in stderr


def test_python_with_a_path_is_a_usage_error(venv: Path) -> None:
    run = run_cli(["audit", "-", "--python", str(_python(venv))], stdin="six\n")
    assert run.code == 2 and "--python is for auditing an environment" in run.stderr
