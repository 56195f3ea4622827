"""A stress run from a private index (HTTP basic auth in the index URL): the release
and the test runner's wheels install from it, and no process started has the
credentials on its command line (readable by every local user in ``/proc/PID/cmdline``)."""

from __future__ import annotations

from pathlib import Path

from testkit.indexserver import IndexServer
from tests.spawned import recording
from tracker.config import load_settings
from tracker.probe.runner import ProbeRequest
from tracker.probe.sandbox import choose_sandbox
from tracker.probe.stress import StressRequest, run_stress
from tracker.pythons.discover import Interpreter
from tracker.stress.result import StressStatus

SECRET = "str3ss-s3cret"


def test_a_stress_run_from_a_private_index_keeps_its_credentials_off_every_command_line(
    fixture_wheels: dict[str, Path], runner_wheels: Path, interpreter_314t: Interpreter
) -> None:
    with IndexServer(credentials=("stresser", SECRET)) as server:
        server.add_wheel_file(fixture_wheels["ftcorrect"])
        server.add_directory(runner_wheels)
        url = server.index_url.replace("http://", f"http://stresser:{SECRET}@")
        request = StressRequest(ProbeRequest(requirement="ftcorrect==1.0", index_url=url),
                                threads=4, stall_seconds=10, budget_seconds=240)  # fmt: skip
        with recording() as spawned:
            result = run_stress(request, interpreter=interpreter_314t, sandbox=choose_sandbox(),
                                uv_cache_dir=load_settings().uv_cache_dir)  # fmt: skip
        answered = {(r.path, r.status) for r in server.requests}
    assert result.status is StressStatus.PASSED, result
    assert result.run_parallel_version  # the runner came from the private index too
    assert ("/simple/pytest-run-parallel/", 200) in answered
    assert not [s.argv for s in spawned if any(SECRET in a for a in s.argv)]
    resolver = [s for s in spawned if s.argv[1:3] == ("pip", "compile")]
    assert len(resolver) >= 2  # the release, then its test requirements
    assert all((s.env or {}).get("UV_DEFAULT_INDEX") == url for s in resolver)


def test_tests_only_in_the_sdist_come_from_a_private_index_too(
    fixture_wheels: dict[str, Path], runner_wheels: Path, interpreter_314t: Interpreter
) -> None:
    """The sdist that carries ftsdist's tests is fetched with the index's credentials
    (the file URLs an index lists carry none)."""
    directory = fixture_wheels["ftsdist"].parent
    with IndexServer(credentials=("stresser", SECRET)) as server:
        server.add_wheel_file(fixture_wheels["ftsdist"])
        server.add_wheel_file(directory / "ftsdist-1.0.tar.gz")
        server.add_directory(runner_wheels)
        url = server.index_url.replace("http://", f"http://stresser:{SECRET}@")
        request = StressRequest(ProbeRequest(requirement="ftsdist==1.0", index_url=url),
                                threads=4, stall_seconds=10, budget_seconds=240)  # fmt: skip
        result = run_stress(request, interpreter=interpreter_314t, sandbox=choose_sandbox(),
                            uv_cache_dir=load_settings().uv_cache_dir)  # fmt: skip
        answered = {(r.path, r.status) for r in server.requests}
    assert ("/files/ftsdist-1.0.tar.gz", 200) in answered
    assert result.status is StressStatus.PASSED and result.source == "sdist", result
