"""Each fixture release gets its stress status on the real 3.14t, in the real sandbox.

Every fixture imports "ready" (``Py_MOD_GIL_NOT_USED``); only running its tests in
threads tells them apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from tests.stress.fixtures import HANG_TEST, build_fixture, write_sdist
from tracker.commands.stress import print_stress
from tracker.config import load_settings
from tracker.probe.runner import ProbeRequest
from tracker.probe.sandbox import choose_sandbox
from tracker.probe.stress import StressRequest, run_stress
from tracker.pythons.discover import Interpreter
from tracker.stress.result import StressResult, StressStatus

#: fixture -> (status, failing test id -> class)
EXPECTED: dict[str, tuple[StressStatus, dict[str, str]]] = {
    "ftrace": (StressStatus.RACES, {
        "ftrace/tests/test_fill.py::test_fill_is_consistent": "race",
        "ftrace/tests/test_fill.py::test_alone_only_checks_types": "race",
    }),
    "ftcorrect": (StressStatus.PASSED, {}),
    "ftabort": (StressStatus.CRASHED, {"ftabort/tests/test_enter.py::test_enter": "crash"}),
    "ftdeadlock": (StressStatus.DEADLOCKED,
                   {"ftdeadlock/tests/test_locks.py::test_both_locks": "deadlock"}),
    "ftunsafe": (StressStatus.UNSAFE_TESTS,
                 {"ftunsafe/tests/test_unsafe.py::test_collects_its_own_values": "unsafe"}),
    # hangs in threads with the GIL on too: the test's design, not a deadlock
    "fthang": (StressStatus.UNSAFE_TESTS,
               {"fthang/tests/test_alone.py::test_expects_to_run_alone": "unsafe"}),
    "ftnotests": (StressStatus.NO_TESTS, {}),
    "ftslow": (StressStatus.PASSED, {}),  # slower than the stall limit, never blocked
}  # fmt: skip


def _stress(
    request: ProbeRequest, interpreter: Interpreter, tmp_path: Path, *,
    budget_seconds: float = 240, stall_seconds: float = 10,
) -> StressResult:  # fmt: skip
    stress = StressRequest(
        request, threads=8, stall_seconds=stall_seconds, budget_seconds=budget_seconds
    )
    return run_stress(
        stress, interpreter=interpreter, sandbox=choose_sandbox(),
        uv_cache_dir=load_settings().uv_cache_dir,
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gets_its_status(
    name: str,
    fixture_wheels: dict[str, Path],
    runner_wheels: Path,
    interpreter_314t: Interpreter,
    tmp_path: Path,
) -> None:
    wheel = fixture_wheels[name]
    request = ProbeRequest(wheel=wheel, find_links=(wheel.parent, runner_wheels), offline=True)
    result = _stress(request, interpreter_314t, tmp_path)
    status, failing = EXPECTED[name]
    assert result.status is status, result
    # a race may show in one of the two tests only, never in another class
    if name == "ftrace":
        assert result.failing and set(result.failing.values()) == {"race"}
        assert set(result.failing) <= set(failing)
    else:
        assert result.failing == failing, result
    assert result.tests_failed == len(result.failing)
    assert result.sandbox.startswith("bwrap")
    if status is StressStatus.NO_TESTS:
        assert result.tests_run == 0 and result.source == ""
        return
    assert result.source == "wheel"
    assert result.tests_run == result.tests_collected >= 1 and result.fraction == 1.0
    assert result.run_parallel_version == "0.10.0" and result.threads == 8
    for failure in result.failures:
        if failure.failure == "crash":
            assert "Fatal Python error: Aborted" in failure.detail
            # the test that was running is named (faulthandler's stack of it, when the
            # aborting thread still had one, follows)
            assert "test_enter.py" in failure.detail
        if failure.failure == "deadlock":
            assert "Timeout (" in failure.detail and "test_locks.py" in failure.detail
        if name == "fthang":
            # its control hung too; the stacks of the hang without the GIL are kept
            assert failure.detail.startswith("in threads with the GIL on: hung too")
            assert "Timeout (" in failure.detail and "test_alone.py" in failure.detail


def test_races_text_names_the_tests_and_the_command(
    fixture_wheels: dict[str, Path],
    runner_wheels: Path,
    interpreter_314t: Interpreter,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wheel = fixture_wheels["ftrace"]
    request = ProbeRequest(wheel=wheel, find_links=(wheel.parent, runner_wheels), offline=True)
    result = _stress(request, interpreter_314t, tmp_path)
    print_stress(result)
    out = capsys.readouterr().out
    assert "races" in out
    failing = next(iter(result.failing))
    assert failing in out
    assert "PYTHON_GIL=0 python -m pytest" in out and "--parallel-threads=8" in out
    assert "ftrace==1.0" in out


def test_tests_only_in_the_sdist_run_against_the_installed_wheel(
    fixture_wheels: dict[str, Path],
    runner_wheels: Path,
    interpreter_314t: Interpreter,
    tmp_path: Path,
) -> None:
    """ftsdist ships no tests in its wheel; the loopback index serves its sdist, whose
    flat sources say SOURCE = "sdist": the test passes only against the wheel."""
    directory = fixture_wheels["ftsdist"].parent
    with IndexServer() as server:
        server.add_wheel_file(fixture_wheels["ftsdist"])
        server.add_wheel_file(directory / "ftsdist-1.0.tar.gz")
        server.add_directory(runner_wheels)
        request = ProbeRequest(requirement="ftsdist==1.0", index_url=server.index_url)
        result = _stress(request, interpreter_314t, tmp_path)
        assert server.requests_to("/files/ftsdist-1.0.tar.gz") == 1
    assert result.status is StressStatus.PASSED, result
    assert result.source == "sdist"
    assert result.tests_run == result.tests_collected == 2
    assert result.failing == {} and result.failed_alone == 0
    assert "--import-mode=importlib" in result.reproduce


def test_the_tests_run_without_network_or_the_hosts_files(
    runner_wheels: Path, interpreter_314t: Interpreter, tmp_path: Path
) -> None:
    """A release whose test connects to a server on the host's loopback and reads a
    host file: both fail inside the sandbox, so the test fails alone (no-tests)."""
    import socket

    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    secret.chmod(0o644)
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    port = server.getsockname()[1]
    test = (
        "import socket\n\n\ndef test_reaches_the_host():\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
        f"    assert open({str(secret)!r}).read() == 'host secret'\n"
    )
    wheel = build_fixture("fthostile", tmp_path / "wheels", interpreter_314t.path, tests={
        "fthostile/tests/__init__.py": "", "fthostile/tests/test_host.py": test,
    })  # fmt: skip
    request = ProbeRequest(wheel=wheel, find_links=(wheel.parent, runner_wheels), offline=True)
    with server:
        result = _stress(request, interpreter_314t, tmp_path)
        with pytest.raises(TimeoutError):
            server.accept()
    assert result.status is StressStatus.NO_TESTS, result
    assert result.tests_run == 1 and result.failed_alone == 1
    assert "none of the 1 test(s) run pass alone" in result.detail


def test_the_command_prints_json_with_the_fields(
    fixture_wheels: dict[str, Path], runner_wheels: Path
) -> None:
    import json

    from click.testing import CliRunner

    from tracker.cli import cli

    wheel = fixture_wheels["ftnotests"]
    argv = ["stress", "--wheel", str(wheel), "--find-links", str(runner_wheels), "--json",
            "--target", "3.14t"]  # fmt: skip
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["status"] == "no-tests" and shown["project"] == "ftnotests"
    assert shown["tests_run"] == 0 and shown["tests_failed"] == 0 and shown["failing"] == {}
    assert shown["threads"] == 8 and shown["iterations"] == 1


def test_a_conftest_that_skips_its_directory_skips_only_its_tests(
    runner_wheels: Path, interpreter_314t: Interpreter, tmp_path: Path
) -> None:
    """A conftest.py that skips its directory at import (a module-level
    ``pytest.importorskip`` of an optional dependency, as pandas' arrow tests do)
    skips that directory's tests, not the whole session."""
    tests = {
        "ftskipdir/tests/__init__.py": "",
        "ftskipdir/tests/test_value.py": "from ftskipdir import _core\n\n\n"
        "def test_value():\n    assert _core.value(2) == 2\n",
        "ftskipdir/tests/optional/__init__.py": "",
        "ftskipdir/tests/optional/conftest.py": "import pytest\n\n"
        'pytest.importorskip("ft_no_such_module")\n',
        "ftskipdir/tests/optional/test_optional.py": "def test_optional():\n    pass\n",
    }
    wheel = build_fixture("ftskipdir", tmp_path / "wheels", interpreter_314t.path, tests=tests)
    request = ProbeRequest(wheel=wheel, find_links=(wheel.parent, runner_wheels), offline=True)
    result = _stress(request, interpreter_314t, tmp_path)
    assert result.status is StressStatus.PASSED, result
    assert result.tests_collected == result.tests_run == 1


def test_an_sdist_conftest_may_name_its_test_helpers_as_a_package(
    runner_wheels: Path, interpreter_314t: Interpreter, tmp_path: Path
) -> None:
    """Pillow's sdist conftest says ``pytest_plugins = ["Tests.helper"]``: the unpacked
    sdist's root is on sys.path (its sources are never unpacked, so the release is
    still the installed wheel)."""
    wheels = tmp_path / "wheels"
    wheel = build_fixture("ftplugins", wheels, interpreter_314t.path,
                          tests={"ftplugins/__init__.py": ""})  # fmt: skip
    members = {
        "ftplugins-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: ftplugins\nVersion: 1.0\n",
        "ftplugins-1.0/conftest.py": 'pytest_plugins = ["Tests.helper"]\n',
        "ftplugins-1.0/Tests/__init__.py": "",
        "ftplugins-1.0/Tests/helper.py": "import pytest\n\n\n@pytest.fixture\n"
        "def two():\n    return 2\n",
        "ftplugins-1.0/Tests/test_value.py": "from ftplugins import _core\n\n\n"
        "def test_value(two):\n    assert _core.value(two) == 2\n",
    }
    write_sdist(wheels / "ftplugins-1.0.tar.gz", members)
    request = ProbeRequest(wheel=wheel, find_links=(wheels, runner_wheels), offline=True)
    result = _stress(request, interpreter_314t, tmp_path)
    assert result.status is StressStatus.PASSED, result
    assert result.source == "sdist" and result.tests_run == 1


def test_wheel_tests_that_cannot_start_give_way_to_the_sdists(
    runner_wheels: Path, interpreter_314t: Interpreter, tmp_path: Path
) -> None:
    """matplotlib's wheel ships tests that need baseline images it does not install:
    they never start, and the sdist's tests run instead."""
    wheels = tmp_path / "wheels"
    wheel = build_fixture("ftgiveway", wheels, interpreter_314t.path, tests={
        "ftgiveway/tests/__init__.py": 'raise OSError("the baseline images are not installed")\n',
        "ftgiveway/tests/test_images.py": "def test_images():\n    pass\n",
    })  # fmt: skip
    members = {
        "ftgiveway-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: ftgiveway\nVersion: 1.0\n",
        "ftgiveway-1.0/tests/test_value.py": "from ftgiveway import _core\n\n\n"
        "def test_value():\n    assert _core.value(3) == 3\n",
    }
    write_sdist(wheels / "ftgiveway-1.0.tar.gz", members)
    request = ProbeRequest(wheel=wheel, find_links=(wheels, runner_wheels), offline=True)
    result = _stress(request, interpreter_314t, tmp_path)
    assert result.status is StressStatus.PASSED, result
    assert result.source == "sdist" and result.tests_run == 1
    assert "the wheel's tests did not start" in result.detail
    assert "1 file(s) could not be collected (ftgiveway/tests" in result.detail


def test_wheel_tests_that_do_not_pass_alone_give_way_to_the_sdists(
    runner_wheels: Path, interpreter_314t: Interpreter, tmp_path: Path
) -> None:
    """SQLAlchemy's wheel ships a test suite that its sdist's configuration drives: the
    wheel's tests are collected but none pass alone (here: a fixture only the sdist's
    conftest.py defines), so the sdist's tests run instead."""
    wheels = tmp_path / "wheels"
    test = (
        "from ftdriven import _core\n\n\ndef test_value(dialect):\n"
        "    assert _core.value(dialect) == dialect\n"
    )
    wheel = build_fixture("ftdriven", wheels, interpreter_314t.path, tests={
        "ftdriven/testing/__init__.py": "",
        "ftdriven/testing/test_suite.py": test,
    })  # fmt: skip
    members = {
        "ftdriven-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: ftdriven\nVersion: 1.0\n",
        "ftdriven-1.0/conftest.py": "import pytest\n\n\n@pytest.fixture\n"
        "def dialect():\n    return 7\n",
        "ftdriven-1.0/test/test_suite.py": test,
    }
    write_sdist(wheels / "ftdriven-1.0.tar.gz", members)
    request = ProbeRequest(wheel=wheel, find_links=(wheels, runner_wheels), offline=True)
    result = _stress(request, interpreter_314t, tmp_path)
    assert result.status is StressStatus.PASSED, result
    assert result.source == "sdist" and result.tests_run == 1
    assert (
        "the wheel's tests do not pass alone (none of the 1 test(s) run pass alone" in result.detail
    )


def test_a_hang_in_a_small_budget_still_gets_its_control(
    fixture_wheels: dict[str, Path],
    runner_wheels: Path,
    interpreter_314t: Interpreter,
    tmp_path: Path,
) -> None:
    """With a budget of 60 s, the default stall limit (120 s) is cut to a fifth of it
    (12 s), and the control of the hung test runs though the threaded runs used the
    budget up: fthang's test is judged by its control (it hangs with the GIL on too),
    not left a deadlock."""
    wheel = fixture_wheels["fthang"]
    request = ProbeRequest(wheel=wheel, find_links=(wheel.parent, runner_wheels), offline=True)
    # the stall limit of a real run (120 s), cut to a fifth of the budget
    result = _stress(request, interpreter_314t, tmp_path, budget_seconds=60, stall_seconds=120)
    assert result.status is StressStatus.UNSAFE_TESTS, result
    (failure,) = result.failures
    assert failure.detail.startswith("in threads with the GIL on: hung too"), failure.detail
    assert "Timeout (12s without progress" in failure.detail
    assert result.timings["control"] > 0


def test_each_hang_gets_its_control(
    runner_wheels: Path, interpreter_314t: Interpreter, tmp_path: Path
) -> None:
    """Two tests that hang in threads with the GIL on too (adbc-driver-manager's
    ``test_sigint_fires`` and ``test_cancel_raise``): the control waits out one stall
    limit per hang, so the second is judged by its control too, not left a deadlock
    because the first one's hang used the control's time up."""
    wheels = tmp_path / "wheels"
    wheel = build_fixture("fthang", wheels, interpreter_314t.path, tests={
        "fthang/tests/__init__.py": "",
        "fthang/tests/test_first.py": HANG_TEST,
        "fthang/tests/test_second.py": HANG_TEST,
    })  # fmt: skip
    request = ProbeRequest(wheel=wheel, find_links=(wheels, runner_wheels), offline=True)
    # the stall limit of a real run (120 s), cut to a fifth of the budget
    result = _stress(request, interpreter_314t, tmp_path, budget_seconds=60, stall_seconds=120)
    assert result.status is StressStatus.UNSAFE_TESTS, result
    assert result.failing == {
        "fthang/tests/test_first.py::test_expects_to_run_alone": "unsafe",
        "fthang/tests/test_second.py::test_expects_to_run_alone": "unsafe",
    }
