"""Where tests come from, read on the host: the sdist's tests unpacked with the
archive checks, the wheel's test files, the subset, the status order."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from tracker.probe.stress import reproduce_command, status_of, subset
from tracker.probe.stress_sources import (
    dependency_groups,
    extract_tests,
    is_test_file,
    wheel_test_files,
)
from tracker.stress.result import StressResult, StressStatus


def _tar(path: Path, members: dict[str, bytes], *, links: dict[str, str] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


def test_only_the_tests_and_the_top_conftest_are_unpacked(tmp_path: Path) -> None:
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", {
        "demo-1.0/demo/__init__.py": b"SOURCE = 'sdist'\n",
        "demo-1.0/src/demo/core.py": b"",
        "demo-1.0/tests/test_a.py": b"def test_a(): pass\n",
        "demo-1.0/tests/data/x.txt": b"x",
        "demo-1.0/conftest.py": b"",
        "demo-1.0/docs/conftest.py": b"",
        "demo-1.0/pyproject.toml": b'[dependency-groups]\ntest = ["attrs"]\n',
    })  # fmt: skip
    found = extract_tests(sdist, tmp_path / "out")
    assert found.refused == ""
    assert found.test_dirs == [tmp_path / "out" / "tests"]
    unpacked = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*"))
    assert unpacked == ["conftest.py", "tests", "tests/data", "tests/data/x.txt", "tests/test_a.py"]
    assert found.files == 3 and found.bytes == len(b"def test_a(): pass\n") + 1
    assert dependency_groups(found.pyproject) == ["attrs"]
    assert (tmp_path / "out" / "tests" / "test_a.py").stat().st_mode & 0o777 == 0o644


def test_a_test_directory_in_capitals_is_found(tmp_path: Path) -> None:
    """Pillow's sdist keeps its tests in ``Tests/``."""
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", {
        "demo-1.0/Tests/test_image.py": b"def test_image(): pass\n",
        "demo-1.0/Tests/images/a.png": b"png",
        "demo-1.0/Src/x.c": b"",
    })  # fmt: skip
    found = extract_tests(sdist, tmp_path / "out")
    assert found.refused == "" and found.files == 2
    assert found.test_dirs == [tmp_path / "out" / "Tests"]


@pytest.mark.parametrize("bad", ["demo-1.0/tests/../../evil.py", "/etc/evil.py"])
def test_an_unsafe_member_path_refuses_the_archive(tmp_path: Path, bad: str) -> None:
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", {"demo-1.0/tests/test_a.py": b"", bad: b"x"})
    found = extract_tests(sdist, tmp_path / "out")
    assert found.refused.startswith("demo-1.0.tar.gz: unsafe member path")
    assert not (tmp_path / "evil.py").exists() and found.test_dirs == []


def test_links_are_never_written(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("host secret")
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", {"demo-1.0/tests/test_a.py": b""},
                 links={"demo-1.0/tests/leak.txt": str(secret)})  # fmt: skip
    found = extract_tests(sdist, tmp_path / "out")
    assert found.files == 1
    assert not (tmp_path / "out" / "tests" / "leak.txt").exists()


def test_tests_over_the_cap_refuse_the_archive(tmp_path: Path) -> None:
    sdist = _tar(tmp_path / "demo-1.0.tar.gz", {"demo-1.0/tests/blob.bin": bytes(4096)})
    found = extract_tests(sdist, tmp_path / "out", max_bytes=1000)
    assert "more than 1,000 bytes" in found.refused and found.test_dirs == []


def test_a_zip_sdist_and_one_without_tests(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo-1.0/test/test_b.py", "def test_b(): pass\n")
    assert extract_tests(path, tmp_path / "a").test_dirs == [tmp_path / "a" / "test"]
    bare = _tar(tmp_path / "bare-1.0.tar.gz", {"bare-1.0/bare.py": b""})
    assert extract_tests(bare, tmp_path / "b").refused.endswith(
        "no top-level tests/ or test/ directory"
    )


def test_wheel_test_files_are_inside_test_packages(tmp_path: Path) -> None:
    for relative in ("pkg/tests/test_a.py", "pkg/test_helpers.py", "pkg/sub/testing/b_test.py"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("")
    modules = ["pkg", "pkg.tests.test_a", "pkg.test_helpers", "pkg.sub.testing.b_test",
               "pkg.tests.conftest", "pkg.tests.missing_test"]  # fmt: skip
    found = wheel_test_files(tmp_path, modules)
    assert found == [tmp_path / "pkg/sub/testing/b_test.py", tmp_path / "pkg/tests/test_a.py"]
    assert is_test_file("test_x.py") and not is_test_file("conftest.py")


def test_the_subset_is_whole_files_fixed_by_the_seed() -> None:
    ids = [f"f{f}.py::t{t}" for f in range(20) for t in range(10)]
    first = subset(ids, seed=1, max_tests=55)
    assert first == subset(ids, seed=1, max_tests=55)
    assert len(first) == 50 and len({t.split("::")[0] for t in first}) == 5
    assert first != subset(ids, seed=2, max_tests=55)
    assert subset(ids, seed=1, max_tests=1000) == ids


def test_dependency_groups_follow_includes_without_looping() -> None:
    text = '[dependency-groups]\ntest = ["a", {include-group = "x"}]\nx = ["b", {include-group = "test"}]\n'
    assert dependency_groups(text) == ["a", "b"]
    assert dependency_groups("not toml [") == [] and dependency_groups(None) == []


def test_status_is_the_worst_class() -> None:
    assert status_of({"a": "unsafe"}) is StressStatus.UNSAFE_TESTS
    assert status_of({"a": "unsafe", "b": "deadlock", "c": "race"}) is StressStatus.DEADLOCKED
    assert status_of({"a": "race", "b": "crash"}) is StressStatus.CRASHED
    assert status_of({}) is StressStatus.PASSED


def test_the_reproduce_command_names_the_tests() -> None:
    result = StressResult("demo", "1.0", "3.14t", "manylinux_x86_64", StressStatus.RACES,
                          source="sdist")  # fmt: skip
    command = reproduce_command(result, ["tests/test_a.py::t"], 4, 2)
    assert "demo==1.0" in command and "--import-mode=importlib" in command
    assert command.splitlines()[-1].startswith("PYTHON_GIL=0 python -m pytest")
    assert "--parallel-threads=4 --iterations=2 tests/test_a.py::t" in command


def test_every_stress_status_has_a_record_and_its_own_rank() -> None:
    from tracker.vocabulary import PALETTE, STRESS_RECORDS, stress_colour

    assert set(STRESS_RECORDS) == set(StressStatus)
    ranks = [STRESS_RECORDS[s].rank for s in StressStatus]
    assert sorted(ranks) == list(range(len(StressStatus)))
    assert [s.value for s in sorted(StressStatus, key=lambda s: STRESS_RECORDS[s].rank)] == [
        "crashed", "deadlocked", "races", "unsafe-tests", "passed", "no-tests",
    ]  # fmt: skip
    assert {s for s in StressStatus if STRESS_RECORDS[s].finding} == {
        StressStatus.CRASHED, StressStatus.DEADLOCKED, StressStatus.RACES,
    }  # fmt: skip
    assert all(stress_colour(s) in PALETTE.values() for s in StressStatus)
    assert StressStatus.RACES.description.startswith("its own tests fail in threads")
