"""Measure stress runs per hour on this machine: ``fttrack stress`` on real releases.

Runs each release one after the other (one at a time, as a worker does by
default), each in the real sandbox on the real interpreter, and prints its
status, tests run, duration and the phases' times, then the rate::

    python bench/stress_bench.py [--target 3.14t] [--threads 8] [--budget 600] \\
        markupsafe==3.0.3 ...

The rate is 3600 / the mean duration: what one worker does in an hour with
this mix of suites. It moves with the machine's load (the other processes on
its cores): the load average is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from tracker.config import load_settings
from tracker.models import get_target
from tracker.probe.runner import ProbeRequest
from tracker.probe.stress import StressRequest, stress

DEFAULT_RELEASES = ("markupsafe==3.0.3",)


def main(argv: list[str] | None = None) -> int:
    """Stress the releases named, print each result and releases per hour."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("releases", nargs="*", default=list(DEFAULT_RELEASES))
    parser.add_argument("--target", default="3.14t")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--budget", type=float, default=600.0)
    args = parser.parse_args(argv)
    settings = load_settings()
    target = get_target(args.target)
    durations: list[float] = []
    for requirement in args.releases:
        release = ProbeRequest(requirement=requirement, index_url=settings.require_index_url())
        started = time.monotonic()
        result = stress(
            StressRequest(release, threads=args.threads, budget_seconds=args.budget),
            target,
            settings,
        )
        durations.append(time.monotonic() - started)
        phases = ", ".join(f"{k} {v:.0f}s" for k, v in result.timings.items())
        print(
            f"{requirement:30} {result.status:13} {result.tests_run:5} tests "
            f"{durations[-1]:6.0f}s  ({phases})"
        )
    mean = statistics.mean(durations)
    load = os.getloadavg()[0]
    print(f"{len(durations)} release(s), mean {mean:.0f}s: {3600 / mean:.0f} releases per hour "
          f"per worker (load average {load:.1f} on {os.cpu_count()} cores)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
