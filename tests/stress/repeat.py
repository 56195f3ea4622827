"""Run every fixture release's stress run N times and count the statuses (acceptance):

    python -m tests.stress.repeat --rounds 5 [--parallel 5]

Each round builds nothing again: the wheels are built once, the runner's wheels
staged once; the rounds run side by side when ``--parallel`` says so (each round
one fixture after the other). Prints one line per run and a table of statuses.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from testkit.indexserver import IndexServer
from tests.stress.fixtures import build_all
from tests.stress.test_fixtures import EXPECTED
from tracker.config import load_settings
from tracker.models import get_target
from tracker.probe.runner import ProbeRequest, _uv, _uv_env, shared_wheel_cache
from tracker.probe.sandbox import choose_sandbox
from tracker.probe.staging import stage_wheels
from tracker.probe.stress import CORE_REQUIREMENTS, HELPER_REQUIREMENTS, StressRequest, run_stress
from tracker.pythons.discover import find_interpreter


def main() -> int:
    """Run the rounds; exit 1 when any status differs from the expected one."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--parallel", type=int, default=1)
    args = parser.parse_args()
    settings = load_settings()
    interpreter = find_interpreter(get_target("3.14t"), settings)
    work = Path(tempfile.mkdtemp(prefix="stress-repeat-"))
    staged = stage_wheels(
        [*CORE_REQUIREMENTS, *HELPER_REQUIREMENTS], uv=_uv(), python=interpreter.path,
        index_url=settings.require_index_url(), env=_uv_env(settings.uv_cache_dir),
        scratch=work, max_unpacked_bytes=1 << 30,
        cache_dir=shared_wheel_cache(settings.uv_cache_dir),
    )  # fmt: skip
    runner = work / "runner"
    runner.mkdir()
    for wheel in staged.wheels:
        shutil.copyfile(wheel, runner / wheel.name)
    wheels = build_all(work / "fixtures", interpreter.path)
    expected = {name: status for name, (status, _failing) in EXPECTED.items()}
    expected["ftsdist"] = EXPECTED["ftcorrect"][0]
    sandbox = choose_sandbox()
    seen: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)

    def one_round(number: int) -> None:
        for name in sorted(expected):
            started = time.monotonic()
            if name == "ftsdist":
                with IndexServer() as server:
                    server.add_wheel_file(wheels[name])
                    server.add_wheel_file(wheels[name].parent / "ftsdist-1.0.tar.gz")
                    server.add_directory(runner)
                    request = ProbeRequest(requirement="ftsdist==1.0", index_url=server.index_url)
                    result = run_stress(StressRequest(request, stall_seconds=10, budget_seconds=240),
                                        interpreter=interpreter, sandbox=sandbox,
                                        uv_cache_dir=settings.uv_cache_dir)  # fmt: skip
            else:
                request = ProbeRequest(wheel=wheels[name], find_links=(wheels[name].parent, runner),
                                       offline=True)  # fmt: skip
                result = run_stress(StressRequest(request, stall_seconds=10, budget_seconds=240),
                                    interpreter=interpreter, sandbox=sandbox,
                                    uv_cache_dir=settings.uv_cache_dir)  # fmt: skip
            seen[name][str(result.status)] += 1
            mark = "ok" if result.status is expected[name] else "WRONG"
            print(f"round {number} {name:11} {result.status:13} {mark} "
                  f"tests {result.tests_run} failing {result.failing} "
                  f"{time.monotonic() - started:.0f}s", flush=True)  # fmt: skip

    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        list(pool.map(one_round, range(1, args.rounds + 1)))
    wrong = 0
    for name in sorted(expected):
        counts = ", ".join(f"{status} x{n}" for status, n in sorted(seen[name].items()))
        wrong += sum(n for status, n in seen[name].items() if status != expected[name])
        print(f"{name:11} expected {expected[name]:13} got {counts}")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
