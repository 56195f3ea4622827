"""Hostile inputs through the real CLI: each is one line naming the file and exit code 2,
never a traceback, never reading without end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.audit.sources.interface import MAX_INPUT_BYTES
from tracker.audit.sources.requirements import MAX_FILES, RequirementsSource

from .helpers import FEED, run_cli

FTTRACK = Path(sys.executable).parent / "fttrack"

HUGE = "1" * 5000  # more digits than int() converts from text (4,300)


def _assert_one_line_error(argv: list[str], name: str, *, stdin: str | None = None) -> str:
    result = run_cli(["audit", *argv], stdin=stdin)
    assert result.code == 2, (result.code, result.stdout[-500:], result.stderr[-500:])
    message = result.stderr.strip()
    assert "Traceback" not in result.stderr
    assert "\n" not in message, message[:1000]
    assert name in message, message
    assert len(message) < 500, message[:600]
    return message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("uv.lock", "version = 1\nx = " + "[" * 100_000 + "\n"),
        ("pyproject.toml", '[project]\nname = "a"\ndependencies = ' + "[" * 100_000 + "\n"),
        ("poetry.lock", "[metadata]\nlock-version = '2.1'\nx = " + "{a = " * 50_000 + "\n"),
        ("Pipfile.lock", '{"default": ' + "[" * 100_000),
    ],
    ids=["uv.lock", "pyproject", "poetry", "pipfile"],
)
def test_deeply_nested_documents(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    message = _assert_one_line_error([str(path)], str(path))
    assert "nested too deeply" in message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("requirements.txt", f"numpy=={HUGE}\n"),
        ("requirements.txt", f"numpy>={HUGE},<3\n"),
        ("pyproject.toml", f'[project]\nname = "a"\ndependencies = ["numpy=={HUGE}"]\n'),
        ("uv.lock", f'version = 1\n[[package]]\nname = "numpy"\nversion = "{HUGE}"\n'),
        (
            "poetry.lock",
            f'[[package]]\nname = "numpy"\nversion = "{HUGE}"\n'
            "[metadata]\nlock-version = '2.1'\n",
        ),
        (
            "pdm.lock",
            f'[metadata]\nlock_version = "4.5.0"\n[[package]]\nname = "numpy"\nversion = "{HUGE}"\n',
        ),
        ("Pipfile.lock", json.dumps({"default": {"numpy": {"version": f"=={HUGE}"}}})),
    ],
    ids=["pin", "specifier", "pyproject", "uv.lock", "poetry", "pdm", "pipfile"],
)
def test_versions_with_too_many_digits(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    message = _assert_one_line_error([str(path)], str(path))
    assert "version" in message
    assert HUGE[:300] not in message


def test_pylock_with_a_huge_version(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(
        'lock-version = "1.0"\ncreated-by = "x"\n'
        f'[[packages]]\nname = "numpy"\nversion = "{HUGE}"\n'
        '[[packages.wheels]]\nname = "numpy-1-py3-none-any.whl"\nurl = "https://x.invalid/n.whl"\n'
        'hashes = {sha256 = "00"}\n'
    )
    _assert_one_line_error([str(path)], str(path))


def test_requirement_including_dev_zero(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("six==1.17.0\n-r /dev/zero\n")
    message = _assert_one_line_error([str(path)], f"{path}:2")
    assert message.endswith("-r /dev/zero: not a regular file (a character device)")


def test_dev_zero_named_on_the_command_line() -> None:
    message = _assert_one_line_error(["/dev/zero", "--format-in", "requirements"], "/dev/zero")
    assert message.endswith("/dev/zero: not a regular file (a character device)")


@pytest.mark.parametrize("name", ["requirements.txt", "uv.lock", "Pipfile.lock"])
def test_file_over_the_size_limit(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.write(b"# padding\n" * (MAX_INPUT_BYTES // 10 + 1))
    message = _assert_one_line_error([str(path)], str(path))
    assert message.endswith(f"{path}: larger than the 16 MiB limit")


def test_stdin_over_the_size_limit() -> None:
    message = _assert_one_line_error(["-"], "<stdin>", stdin="x\n" * (MAX_INPUT_BYTES // 2 + 1))
    assert "16 MiB limit" in message


# --- credentials -------------------------------------------------------------------------

TOKEN = "ghp_s3cretT0ken"


@pytest.mark.parametrize("fmt", ["markdown", "json", "table", "github"])
def test_credentials_in_a_url_requirement_are_not_reported(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(
        f"foo @ https://alice:{TOKEN}@files.example/foo-1.0.tar.gz\n"
        f"git+https://{TOKEN}@git.example/o/bar.git#egg=bar\n"
        f"https://files.example/baz-1.0.tar.gz?token={TOKEN}\n"
    )
    result = run_cli(["audit", str(path), "--format", fmt])
    assert result.code == 1, result.stderr  # the two sdist URLs are sdist-only
    output = result.stdout + result.stderr
    assert TOKEN not in output and "alice" not in output
    if fmt != "github":  # annotations name blockers only
        shown = output.replace("\\*", "*")  # markdown escapes the mask's stars
        assert "https://****@files.example/foo-1.0.tar.gz" in shown
        assert "token=****" in shown


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "uv.lock",
            'version = 1\n[[package]]\nname = "foo"\nversion = "1.0"\n'
            f'source = {{ git = "https://alice:{TOKEN}@git.example/o/foo.git?rev=1#abc" }}\n',
        ),
        (
            "poetry.lock",
            '[[package]]\nname = "foo"\nversion = "1.0"\n'
            f'[package.source]\ntype = "url"\nurl = "https://alice:{TOKEN}@files.example/f.zip"\n'
            "[metadata]\nlock-version = '2.1'\n",
        ),
        (
            "pdm.lock",
            '[metadata]\nlock_version = "4.5.0"\n[[package]]\nname = "foo"\nversion = "1.0"\n'
            f'url = "https://alice:{TOKEN}@files.example/f.zip"\n',
        ),
        (
            "Pipfile.lock",
            json.dumps({"default": {"foo": {"git": f"https://alice:{TOKEN}@git.example/f.git"}}}),
        ),
        (
            "pyproject.toml",
            f'[project]\nname = "a"\ndependencies = ["foo @ https://{TOKEN}@files.example/f.zip"]\n',
        ),
    ],
)
def test_credentials_in_lockfile_sources_are_redacted(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = run_cli(["audit", str(path), "--format", "json"])
    assert result.code == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert "****@" in result.stdout


def test_error_quoting_a_line_redacts_its_credentials(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(f"foo @ https://alice:{TOKEN}@files.example/x y\n")
    message = _assert_one_line_error([str(path)], f"{path}:1")
    assert TOKEN not in message and "https://****@files.example/x y" in message


def test_lines_of_an_included_file_outside_the_project_are_not_quoted(tmp_path: Path) -> None:
    outside = tmp_path / "home" / ".git-credentials"
    outside.parent.mkdir()
    outside.write_text(f"https://alice:{TOKEN}@git.example\nPASSWORD={TOKEN}\n")
    project = tmp_path / "project"
    project.mkdir()
    path = project / "requirements.txt"
    path.write_text(f"six==1.17.0\n-r {outside}\n")
    message = _assert_one_line_error([str(path)], f"{outside}:2")
    assert TOKEN not in message and "PASSWORD" not in message
    assert "not shown" in message


def test_an_unknown_option_outside_the_project_is_not_quoted(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(f"--{TOKEN}\n")
    project = tmp_path / "project"
    project.mkdir()
    path = project / "requirements.txt"
    path.write_text(f"-r ../{outside.name}\n")
    message = _assert_one_line_error([str(path)], f"{outside.name}:1")
    assert TOKEN not in message


def test_included_proc_environ_is_refused_without_quoting_it(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("six==1.17.0\n-r /proc/self/environ\n")
    env = {**os.environ, "FTTRACK_TEST_SECRET": TOKEN, "FTTRACK_SNAPSHOT": str(FEED)}
    done = subprocess.run(
        [str(FTTRACK), "audit", str(path)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 2, done.stderr
    message = done.stderr.strip()
    assert "\n" not in message and "/proc/self/environ" in message
    assert TOKEN not in done.stdout + done.stderr


# --- -r fan-out --------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_each_included_file_is_read_once(tmp_path: Path) -> None:
    # r0 includes r1 twice, r1 includes r2 twice, ...: 2**20 reads if not read once.
    for i in range(20):
        (tmp_path / f"r{i}.txt").write_text(f"pkg{i}==1.0\n-r r{i + 1}.txt\n-r r{i + 1}.txt\n")
    (tmp_path / "r20.txt").write_text("last==1.0\n")
    deps = list(RequirementsSource(str(tmp_path / "r0.txt")))
    assert [d.name for d in deps] == [*(f"pkg{i}" for i in range(20)), "last"]


def test_too_many_included_files(tmp_path: Path) -> None:
    lines = []
    for i in range(MAX_FILES + 5):
        (tmp_path / f"part{i}.txt").write_text(f"pkg{i}==1.0\n")
        lines.append(f"-r part{i}.txt")
    path = tmp_path / "requirements.txt"
    path.write_text("\n".join(lines) + "\n")
    message = _assert_one_line_error([str(path)], str(path))
    assert f"more than {MAX_FILES} requirement files" in message


def test_included_files_larger_than_the_limit_together(tmp_path: Path) -> None:
    chunk = b"# padding\n" * (MAX_INPUT_BYTES // 25)  # 40 % of the limit each
    for i in range(4):
        (tmp_path / f"part{i}.txt").write_bytes(chunk)
    path = tmp_path / "requirements.txt"
    path.write_text("".join(f"-r part{i}.txt\n" for i in range(4)))
    message = _assert_one_line_error([str(path)], f"{path}:3")
    assert "part2.txt" in message and "16 MiB limit in all" in message


def test_a_file_included_as_requirement_and_as_constraint_counts_as_both(tmp_path: Path) -> None:
    (tmp_path / "pins.txt").write_text("requests==2.34.2\n")
    path = tmp_path / "requirements.txt"
    path.write_text("-c pins.txt\nrequests\n-r pins.txt\n-r pins.txt\n")
    deps = list(RequirementsSource(str(path)))
    assert [(d.name, d.version) for d in deps] == [("requests", "2.34.2"), ("requests", "2.34.2")]


@pytest.mark.timeout(60)
def test_a_50_mb_requirements_file_is_refused(tmp_path: Path) -> None:
    line = f"pkg==1.0 --hash=sha256:{'ab' * 32} ; python_version >= '3.8'\n".encode()
    path = tmp_path / "requirements.txt"
    with path.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    message = _assert_one_line_error([str(path)], str(path))
    assert "larger than the 16 MiB limit" in message
