"""Files that are no input: devices, FIFOs, huge or sparse files, symlink loops, as the
audited PATH, as a ``-r`` include, as the snapshot, its index, or the config file.

Each is refused with one line before any of it is read. Whatever could read without
end runs in a subprocess under a 2 GiB address-space limit and a time limit, so that a
regression fails the test instead of exhausting the machine's memory or hanging it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import FEED, LOCKFILES, run_cli

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 2 * 1024**3
# fttrack's CLI under an address-space limit; prints its exit code last (0 when it returned).
_LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from tracker.cli import main
code = main(sys.argv[2:])
sys.exit(code if isinstance(code, int) else 0)
"""
_LOAD_SETTINGS = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from tracker.config import load_settings
from tracker.errors import ConfigError
try:
    load_settings()
except ConfigError as exc:
    print(exc)
"""


def _limited(
    argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``fttrack ARGV`` in a subprocess limited to 2 GiB of address space and ``timeout``."""
    environment = {**os.environ, "FTTRACK_SNAPSHOT": str(FEED), "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", _LIMITED, str(MEMORY_LIMIT), *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def _one_line(run: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert run.returncode == 2, (run.returncode, run.stdout[-500:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "MemoryError" not in run.stderr, run.stderr[-2000:]
    message = run.stderr.strip()
    assert "\n" not in message, message[:2000]
    for needle in needles:
        assert needle in message, message
    assert run.stdout == ""
    return message


@pytest.fixture()
def requirements(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text("six==1.17.0\n")
    return path


@pytest.fixture()
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "fifo" / "requirements.txt"
    path.parent.mkdir()
    os.mkfifo(path)
    yield path


# --- item 3: devices, FIFOs and huge files are refused before they are read -------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("how", ["--snapshot", "FTTRACK_SNAPSHOT"])
def test_a_device_as_the_snapshot_ends_at_once_under_a_memory_limit(
    requirements: Path, device: str, how: str
) -> None:
    started = time.monotonic()
    if how == "--snapshot":
        run = _limited(["audit", str(requirements), "--snapshot", device])
    else:
        run = _limited(["audit", str(requirements)], env={"FTTRACK_SNAPSHOT": device})
    message = _one_line(run, f"snapshot {device}: not a regular file (a character device)")
    assert time.monotonic() - started < 30, message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_the_input_or_an_include_is_refused_unread(tmp_path: Path, device: str) -> None:
    run = _limited(["audit", device, "--format-in", "uv.lock"])
    _one_line(run, f"{device}: not a regular file (a character device)")
    including = tmp_path / "requirements.txt"
    including.write_text(f"six==1.17.0\n-r {device}\n")
    run = _limited(["audit", str(including)])
    _one_line(run, f"{including}:2: -r {device}: not a regular file (a character device)")


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def test_a_huge_sparse_snapshot_is_refused_unread(tmp_path: Path, requirements: Path) -> None:
    snapshot = _sparse(tmp_path / "snapshot.json", 64 * 1024**3)
    started = time.monotonic()
    run = _limited(["audit", str(requirements), "--snapshot", str(snapshot)])
    _one_line(run, f"snapshot {snapshot}: larger than the 1024 MiB limit")
    assert time.monotonic() - started < 30


def test_a_huge_sparse_input_is_refused_unread(tmp_path: Path) -> None:
    path = _sparse(tmp_path / "uv.lock", 64 * 1024**3)
    started = time.monotonic()
    _one_line(_limited(["audit", str(path)]), f"{path}: larger than the 16 MiB limit")
    assert time.monotonic() - started < 30


def test_a_fifo_without_writer_as_path_is_refused_at_once(fifo: Path) -> None:
    _one_line(_limited(["audit", str(fifo)], timeout=30), f"{fifo}: not a regular file (a FIFO)")


def test_a_fifo_without_writer_as_an_include_is_refused_at_once(tmp_path: Path, fifo: Path) -> None:
    including = tmp_path / "requirements.txt"
    including.write_text(f"-c {fifo}\nsix==1.17.0\n")
    run = _limited(["audit", str(including)], timeout=30)
    _one_line(run, f"{including}:1: -c {fifo}: not a regular file (a FIFO)")


@pytest.mark.parametrize("how", ["--snapshot", "FTTRACK_SNAPSHOT"])
def test_a_fifo_without_writer_as_the_snapshot_is_refused_at_once(
    requirements: Path, fifo: Path, how: str
) -> None:
    if how == "--snapshot":
        run = _limited(["audit", str(requirements), "--snapshot", str(fifo)], timeout=30)
    else:
        run = _limited(
            ["audit", str(requirements)], env={"FTTRACK_SNAPSHOT": str(fifo)}, timeout=30
        )
    _one_line(run, f"snapshot {fifo}: not a regular file (a FIFO)")


def test_a_fifo_as_the_snapshot_index_is_passed_over(tmp_path: Path, requirements: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_bytes(FEED.read_bytes())
    os.mkfifo(tmp_path / "snapshot.index.json")
    run = _limited(["audit", str(requirements), "--snapshot", str(snapshot), "--all"], timeout=30)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "six" in run.stdout


@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
def test_a_config_file_that_is_no_regular_file_or_too_large_is_refused(
    tmp_path: Path, kind: str
) -> None:
    if kind == "fifo":
        config, expected = tmp_path / "config.toml", "not a regular file (a FIFO)"
        os.mkfifo(config)
    elif kind == "device":
        config, expected = Path("/dev/zero"), "not a regular file (a character device)"
    else:
        config, expected = _sparse(tmp_path / "config.toml", 8 * 1024**3), "larger than the 1 MiB"
    run = subprocess.run(
        [sys.executable, "-c", _LOAD_SETTINGS, str(MEMORY_LIMIT)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        env={**os.environ, "FTTRACK_CONFIG": str(config)},
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == f"{config}: {expected}" + (" limit" if kind == "huge" else "")


# --- item 6: tracebacks left --------------------------------------------------------------

DEEP = "(" * 340 + "python_version > '3'" + ")" * 340
HUGE_INT = "1" * 5000


def _assert_one_line_error(argv: list[str], *needles: str) -> str:
    result = run_cli(["audit", *argv])
    assert result.code == 2, (result.code, result.stdout[-500:], result.stderr[-500:])
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert "\n" not in message, message[:1000]
    for needle in needles:
        assert needle in message, message
    assert len(message) < 500, message[:600]
    assert result.stdout == ""
    return message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Pipfile.lock", json.dumps({"default": {"six": {"version": "==1.17.0", "markers": DEEP}}})),
        ("pylock.toml", f'lock-version = "1.0"\n[[packages]]\nname = "six"\nversion = "1.17.0"\n'
                        f'marker = "{DEEP}"\n'),
    ],
    ids=["pipfile", "pylock"],
)  # fmt: skip
def test_markers_nested_340_deep(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    _assert_one_line_error([str(path)], str(path), "six: markers nested deeper than 100 levels")


def test_a_deep_marker_is_no_recursion_error_in_the_evaluator() -> None:
    from tracker.audit.environment import marker_applies

    assert marker_applies(DEEP.replace("'3'", "'3.0'"), "3.14t", "manylinux_x86_64") is True


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("uv.lock", f'version = 1\nrevision = {HUGE_INT}\n[[package]]\nname = "six"\n', 2),
        ("Pipfile.lock", '{"_meta": {},\n"default": {"six": {"version": "==1.17.0", "x": '
                         + HUGE_INT + "}}}", 2),
    ],
    ids=["uv.lock", "pipfile"],
)  # fmt: skip
def test_a_5000_digit_integer(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text)
    message = _assert_one_line_error([str(path)], f"{path}:{line}:", "more than 4300 digits")
    assert HUGE_INT[:100] not in message


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ({"version": "==1.17.0\\ud800"}, "default.six.version"),
        ({"file": "https://host/six\\udfff.whl"}, "default.six.file"),
        ({"version": "==1.17.0", "markers": "os_name == '\\udc80'"}, "default.six.markers"),
    ],
    ids=["version", "file", "markers"],
)
def test_a_lone_surrogate_in_a_pipfile_lock(
    tmp_path: Path, entry: dict[str, str], key: str
) -> None:
    path = tmp_path / "Pipfile.lock"
    body = ", ".join(f'"{k}": "{v}"' for k, v in entry.items())
    path.write_text('{"default": {"numpy": {"version": "==2.4.6"}, "six": {' + body + "}}}")
    _assert_one_line_error(
        [str(path), "--all", "--format", "json"], f"{path}: {key}: a lone surrogate"
    )


def test_a_surrogate_pair_is_text(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_text('{"default": {"six": {"version": "==1.17.0", "x": "\\ud83d\\ude00"}}}')
    run = run_cli(["audit", str(path), "--all"])
    assert run.code == 0, run.stderr
    assert "six" in run.stdout


def test_a_report_that_cannot_be_encoded_writes_nothing(tmp_path: Path) -> None:
    # a file name that is not UTF-8 reaches the report's origins as a lone surrogate
    name = os.fsdecode(b"r\xff.txt")
    path = tmp_path / name
    path.write_text("six==1.17.0\n")
    output = tmp_path / "report.json"
    _assert_one_line_error(
        [str(path), "--format", "json", "-o", str(output)], "nothing was written"
    )
    assert not output.exists()
    message = _assert_one_line_error([str(path), "--all"], "nothing was written")
    assert "UTF-8" in message


def test_a_symlink_loop_as_an_include(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    path = tmp_path / "requirements.txt"
    path.write_text("six==1.17.0\n-r a.txt\n")
    _assert_one_line_error([str(path)], f"{path}:2: -r a.txt: symlink loop")


def test_a_symlink_loop_in_the_path_and_as_the_path(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    inside = tmp_path / "a" / "requirements.txt"
    _assert_one_line_error([str(inside)], f"{inside}: symlink loop")
    _assert_one_line_error([str(tmp_path / "a")], f"{tmp_path / 'a'}: symlink loop")


def test_a_symlink_loop_in_a_directory_audit(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n-r b.txt\n")
    (tmp_path / "uv.lock").symlink_to("uv.lock")  # a loop of its own: passed over
    _assert_one_line_error([str(tmp_path)], "requirements.txt:2: -r b.txt: symlink loop")


def test_a_regular_lockfile_still_reads(tmp_path: Path) -> None:
    run = run_cli(["audit", str(LOCKFILES / "uv.lock"), "--format", "json"])
    assert run.code in (0, 1), run.stderr
    assert json.loads(run.stdout)["dependencies"]


def test_a_fifo_as_the_database_is_refused_at_once(requirements: Path, fifo: Path) -> None:
    run = _limited(["audit", str(requirements), "--db", f"sqlite:///{fifo}"], timeout=30)
    _one_line(run, f"database {fifo}: not a regular file (a FIFO)")
