"""``fttrack snapshot build`` with its stress phase, end to end: a loopback index serving
fixture releases built from C, a real crawl, real probes, real stress runs in the sandbox.

The build probes each release ready, then runs the ready ones' own tests in threads;
the snapshot carries their stress results, and a second build has nothing to stress.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from testkit.indexserver import IndexServer
from tests.service.helpers import FTTRACK, fttrack_env
from tests.stress.fixtures import build_fixture
from tracker.archive import Archive
from tracker.models import Status
from tracker.pythons.discover import Interpreter
from tracker.stress.result import StressStatus

PLATFORM = "manylinux_2_17_x86_64"


def test_a_build_stresses_ready_releases_once(
    interpreter_314t: Interpreter, runner_wheels: Path, tmp_path: Path
) -> None:
    names = tmp_path / "names.txt"
    names.write_text("ftcorrect\nftrace\nftnotests\n")
    output = tmp_path / "snapshot.json.gz"
    build = [*FTTRACK, "snapshot", "build", "--names-from", str(names), "--top", "3",
             "--target", "3.14t", "--stress-target", "3.14t", "--stress-workers", "2",
             "--stress-budget", "240", "--db", f"sqlite:///{tmp_path / 'work.db'}",
             "--output", str(output)]  # fmt: skip
    with IndexServer() as index:
        for name in ("ftcorrect", "ftrace", "ftnotests"):  # wheels the crawler counts
            index.add_wheel_file(build_fixture(name, tmp_path / "wheels", interpreter_314t.path,
                                               platform_tag=PLATFORM))  # fmt: skip
        index.add_directory(runner_wheels)
        env = fttrack_env(index.index_url, tmp_path / "unused.db")
        first = subprocess.run(build, env=env, capture_output=True, text=True, timeout=900)
        assert first.returncode == 0, first.stderr
        said = " ".join(first.stderr.split())  # the console wraps long lines
        assert "3 release(s) to stress on 3.14t (2 at a time, 240 s each at most)" in said
        assert "stress 3 of 3 release(s) in" in said
        cells = {s.name: s.cell("3.14t") for s in Archive(output).summaries()}
        for name in ("ftcorrect", "ftrace", "ftnotests"):
            assert cells[name].status is Status.READY, cells[name]
        stressed = {name: cell.stress for name, cell in cells.items()}
        assert stressed["ftcorrect"] is not None
        assert stressed["ftcorrect"].status is StressStatus.PASSED
        assert stressed["ftrace"] is not None
        assert stressed["ftrace"].status is StressStatus.RACES
        assert stressed["ftnotests"] is not None
        assert stressed["ftnotests"].status is StressStatus.NO_TESTS

        again = subprocess.run([*build, "--phase", "stress", "--no-crawl"], env=env,
                               capture_output=True, text=True, timeout=300)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "0 release(s) to stress on 3.14t" in " ".join(again.stderr.split())
