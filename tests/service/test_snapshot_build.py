"""``fttrack snapshot build`` end to end: a loopback index, real wheels, real probes.

Wheel sizes decide where a job runs: in the pool, in the large-wheel phase
(``--large-workers`` at a time, larger budget, after the others), or not at all.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from testkit.wheelbuild import Extension, build_binary_wheel, build_pure_wheel
from tests.sdistbuild import build_sdist
from tests.service.helpers import FTTRACK, fttrack_env
from tracker.archive import Archive
from tracker.config import load_settings
from tracker.models import Status, get_target
from tracker.pythons.discover import find_interpreter

PLATFORM = "manylinux_2_17_x86_64"


def _padding(megabytes: float) -> str:
    """Text that compresses badly: about ``megabytes`` MB inside a wheel."""
    rng = random.Random(megabytes)
    return "".join(
        rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(int(megabytes * 1.3e6))
    )


def _wheel(dest: Path, python: Path, name: str, megabytes: float) -> Path:
    return build_binary_wheel(
        dest, python, name, [Extension(f"{name}._core", "good")],
        python_files={f"{name}/__init__.py": f"from {name} import _core\n",
                      f"{name}/padding.txt": _padding(megabytes)},
        platform_tag=PLATFORM,
    )  # fmt: skip


def test_large_wheels_run_last_and_huge_ones_are_skipped(tmp_path: Path) -> None:
    python = find_interpreter(get_target("3.14t"), load_settings()).path
    wheels = tmp_path / "wheels"
    small = _wheel(wheels, python, "ftsmall", 0)
    large = _wheel(wheels, python, "ftlarge", 1.5)
    huge = _wheel(wheels, python, "fthuge", 3)
    needs_large = build_pure_wheel(wheels, "ftneedslarge", {"ftneedslarge/__init__.py": ""},
                                   requires=("ftlarge",))  # fmt: skip
    assert small.stat().st_size < 1 << 20 < large.stat().st_size < 2 << 20 < huge.stat().st_size
    names = tmp_path / "names.txt"
    names.write_text("ftsmall\nftlarge\nfthuge\nftneedslarge\n")
    output = tmp_path / "snapshot.json.gz"
    with IndexServer() as index:
        for wheel in (small, large, huge, needs_large):
            index.add_wheel_file(wheel)
        env = fttrack_env(index.index_url, tmp_path / "unused.db")
        build = subprocess.run(
            [*FTTRACK, "snapshot", "build", "--names-from", str(names), "--top", "4",
             "--target", "3.14t", "--db", f"sqlite:///{tmp_path / 'work.db'}",
             "--output", str(output), "--large-wheel-mb", "1", "--max-wheel-mb", "2",
             "--large-workers", "2"],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert build.returncode == 0, build.stderr
    said = " ".join(build.stderr.split())  # the console wraps long lines
    assert "3 probe(s) to run, 2 of them over 1 MB (run last, 2 at a time)" in said
    assert "1 skipped as larger than 2 MB" in said
    assert "large wheels 2 of 2 probe(s) in" in said
    cells = {s.name: s.cell("3.14t") for s in Archive(output).summaries()}
    assert cells["ftsmall"].status is Status.READY and cells["ftsmall"].probed
    assert cells["ftlarge"].status is Status.READY and cells["ftlarge"].probed
    assert cells["ftneedslarge"].probed
    assert not cells["fthuge"].probed


def test_phases_split_one_build_in_two(tmp_path: Path) -> None:
    """--phase regular leaves the large wheels alone; --phase large on the same work
    database then probes only those (the two can run side by side)."""
    python = find_interpreter(get_target("3.14t"), load_settings()).path
    wheels = tmp_path / "wheels"
    built = [_wheel(wheels, python, "ftsmall", 0), _wheel(wheels, python, "ftlarge", 1.5)]
    names = tmp_path / "names.txt"
    names.write_text("ftsmall\nftlarge\n")
    output = tmp_path / "snapshot.json.gz"
    common = ["snapshot", "build", "--names-from", str(names), "--top", "2", "--target", "3.14t",
              "--db", f"sqlite:///{tmp_path / 'work.db'}", "--output", str(output),
              "--large-wheel-mb", "1"]  # fmt: skip
    with IndexServer() as index:
        for wheel in built:
            index.add_wheel_file(wheel)
        env = fttrack_env(index.index_url, tmp_path / "unused.db")
        regular = subprocess.run([*FTTRACK, *common, "--phase", "regular"], env=env,
                                 capture_output=True, text=True, timeout=600)  # fmt: skip
        assert regular.returncode == 0, regular.stderr
        assert "large wheels" not in regular.stderr
        cells = {s.name: s.cell("3.14t") for s in Archive(output).summaries()}
        assert cells["ftsmall"].probed and not cells["ftlarge"].probed
        large = subprocess.run([*FTTRACK, *common, "--phase", "large", "--no-crawl"], env=env,
                               capture_output=True, text=True, timeout=600)  # fmt: skip
    assert large.returncode == 0, large.stderr
    assert "large wheels 1 of 1 probe(s) in" in " ".join(large.stderr.split())
    cells = {s.name: s.cell("3.14t") for s in Archive(output).summaries()}
    assert cells["ftsmall"].probed == 1 and cells["ftlarge"].status is Status.READY


@pytest.mark.parametrize(
    ("options", "label"), [((), "pass"), (("--large-wheel-mb", "0"), "large pass")],
    ids=["regular", "large"],
)  # fmt: skip
def test_follow_up_passes_settle_first_ready_on_a_probe(
    tmp_path: Path, options: tuple[str, ...], label: str
) -> None:
    """1.0 to 1.3 re-enable the GIL, 1.4 to 1.6 are ready. The first pass probes the
    newest wheel (1.6) and the first wheel (1.0: nothing is ready yet); each later pass
    probes the release "first ready" names after the last probe (1.3, 1.5, 1.4: the
    gap halves), until it rests on a probe: 1.4, in one run. The same when every wheel
    is large (``--large-wheel-mb 0``): the large phase has its follow-up passes too."""
    python = find_interpreter(get_target("3.14t"), load_settings()).path
    wheels = tmp_path / "wheels"
    versions = [f"1.{n}" for n in range(7)]
    built = []
    for n, version in enumerate(versions):
        kind = "bad" if n < 4 else "good"  # bad: a module that does not declare itself safe
        built.append(build_binary_wheel(
            wheels, python, "ftsteps", [Extension("ftsteps._core", kind)], version=version,
            python_files={"ftsteps/__init__.py": "from ftsteps import _core\n"},
            platform_tag=PLATFORM,
        ))  # fmt: skip
    names = tmp_path / "names.txt"
    names.write_text("ftsteps\n")
    output = tmp_path / "snapshot.json.gz"
    with IndexServer() as index:
        for wheel in built:
            index.add_wheel_file(wheel)
        env = fttrack_env(index.index_url, tmp_path / "unused.db")
        build = subprocess.run(
            [*FTTRACK, "snapshot", "build", "--names-from", str(names), "--top", "1",
             "--target", "3.14t", "--db", f"sqlite:///{tmp_path / 'work.db'}",
             "--output", str(output), *options],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert build.returncode == 0, build.stderr
    said = " ".join(build.stderr.split())
    assert "2 probe(s) to run" in said
    assert all(f"{label} {n}: 1 probe(s)" in said for n in (2, 3, 4))
    assert "pass 5" not in said
    if options:
        assert "large wheels 5 of 5 probe(s)" in said
    document = Archive(output).document("ftsteps")
    assert document is not None and document.summary is not None
    cell = document.summary.cell("3.14t")
    probed = {
        r.version: r.targets["3.14t"].status
        for r in document.releases
        if r.targets["3.14t"].evidence.value == "probe"
    }
    assert probed == {
        "1.6": Status.READY,
        "1.5": Status.READY,
        "1.4": Status.READY,
        "1.3": Status.GIL_REENABLED,
        "1.0": Status.GIL_REENABLED,
    }
    assert cell.first_ready == "1.4" and cell.first_wheel in (None, "1.4")  # None: the same


def test_sigterm_stops_a_build_cleanly(tmp_path: Path) -> None:
    """SIGTERM (what a service manager or ``kill`` sends, and what reaches a build
    in the background, where a shell ignores Ctrl-C) lets the running probes
    finish, writes the snapshot and exits 0; every stored probe is in it."""
    python = find_interpreter(get_target("3.14t"), load_settings()).path
    wheels = tmp_path / "wheels"
    names = [f"ftstop{n}" for n in range(8)]
    built = [_wheel(wheels, python, name, 0) for name in names]
    (tmp_path / "names.txt").write_text("\n".join(names) + "\n")
    output, work = tmp_path / "snapshot.json.gz", tmp_path / "work.db"
    with IndexServer() as index:
        for wheel in built:
            index.add_wheel_file(wheel)
        env = fttrack_env(index.index_url, tmp_path / "unused.db")
        build = subprocess.Popen(
            [*FTTRACK, "snapshot", "build", "--names-from", str(tmp_path / "names.txt"),
             "--top", "8", "--target", "3.14t", "--db", f"sqlite:///{work}",
             "--output", str(output)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 300
            while _stored_probes(work) == 0 and build.poll() is None:
                assert time.monotonic() < deadline, "no probe stored in 300 s"
                time.sleep(0.2)
            build.send_signal(signal.SIGTERM)
            _, stderr = build.communicate(timeout=300)
        finally:
            build.kill()
    assert build.returncode == 0, stderr
    assert "interrupted: finished probes are stored" in stderr
    probed = sum(s.cell("3.14t").probed for s in Archive(output).summaries())
    assert probed == _stored_probes(work) >= 1


def _stored_probes(work: Path) -> int:
    """Probe runs in the work database (0 while it does not exist yet)."""
    if not work.exists():
        return 0
    with contextlib.closing(sqlite3.connect(work, timeout=30)) as db:
        try:
            return int(db.execute("SELECT count(*) FROM probe_runs").fetchone()[0])
        except sqlite3.OperationalError:  # tables not made yet
            return 0


def test_sdist_only_releases_are_built_and_judged(tmp_path: Path) -> None:
    """Current releases without wheels are built in the sandbox: pure ones are
    ``pure`` on a probe, one with a C extension is probed, a build that fails stays
    ``sdist-only`` with its reason; an audit of an older sdist-only pin is told to
    upgrade to the release that is pure. A second run builds nothing again."""
    sdists = tmp_path / "sdists"
    made = [
        build_sdist(sdists, "ftsdpure", {"ftsdpure/__init__.py": ""}, version="1.0"),
        build_sdist(sdists, "ftsdpure", {"ftsdpure/__init__.py": ""}, version="2.0"),
        build_sdist(sdists, "ftsdc", {"ftsdc/__init__.py": "from ftsdc import _core\n"},
                    c_sources={"_core": Extension("ftsdc._core", "good").source()}),
        build_sdist(sdists, "ftsdbroken", {"ftsdbroken/__init__.py": ""},
                    pre="raise SystemExit('ftsdbroken needs a compiler it lacks')"),
    ]  # fmt: skip
    names = tmp_path / "names.txt"
    names.write_text("ftsdpure\nftsdc\nftsdbroken\n")
    output = tmp_path / "snapshot.json.gz"
    command = [*FTTRACK, "snapshot", "build", "--names-from", str(names), "--top", "3",
               "--target", "3.14t", "--db", f"sqlite:///{tmp_path / 'work.db'}",
               "--output", str(output)]  # fmt: skip
    with IndexServer() as index:
        for sdist in made:
            index.add_wheel_file(sdist)
        env = fttrack_env(index.index_url, tmp_path / "unused.db")
        build = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert build.returncode == 0, build.stderr
        again = subprocess.run([*command, "--phase", "sdist", "--no-crawl"], env=env,
                               capture_output=True, text=True, timeout=600)  # fmt: skip
    assert "3 probe(s) to run" in " ".join(build.stderr.split())
    assert again.returncode == 0 and "0 probe(s) to run" in " ".join(again.stderr.split())
    archive = Archive(output)
    verdicts = {}
    for name in ("ftsdpure", "ftsdc", "ftsdbroken"):
        document = archive.document(name)
        assert document is not None
        verdicts[name] = document.releases[0].targets["3.14t"]
    assert verdicts["ftsdpure"].status is Status.PURE
    assert verdicts["ftsdpure"].evidence.value == "probe"
    assert verdicts["ftsdpure"].probe is not None
    assert verdicts["ftsdpure"].probe.detail == "built from sdist, no extension modules"
    assert verdicts["ftsdc"].status is Status.READY
    assert verdicts["ftsdbroken"].status is Status.SDIST_ONLY
    assert verdicts["ftsdbroken"].probe is not None
    assert "ftsdbroken needs a compiler it lacks" in verdicts["ftsdbroken"].probe.detail
    cells = {s.name: s.cell("3.14t") for s in archive.summaries()}
    assert cells["ftsdpure"].first_ready == "2.0"
    assert cells["ftsdbroken"].first_ready is None
    pins = tmp_path / "requirements.txt"
    pins.write_text("ftsdpure==1.0\n")
    audit = subprocess.run(
        [*FTTRACK, "audit", str(pins), "--snapshot", str(output), "--target", "3.14t",
         "--offline", "--format", "json"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert audit.stdout, audit.stderr
    [pin] = json.loads(audit.stdout)["dependencies"]
    assert (pin["status"], pin["first_ready_version"]) == ("sdist-only", "2.0")
    assert "upgrade ftsdpure 1.0 → 2.0 for 3.14t" in pin["detail"]
