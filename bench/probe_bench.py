"""Probe cost breakdown for a real package, against the bare import of the same modules.

Usage: python bench/probe_bench.py [REQUIREMENT] [--target 3.14t] [--repeat 3]

One command, one venv: it creates the venv and installs REQUIREMENT (default
numpy) the way the probe does, then times, inside the same bwrap sandbox:

- the probe's import run (``python -I -v -X faulthandler`` + the child script,
  every extension module of the package, culprits parsed from stderr);
- the baseline: ``python -I -c "import m1, m2, ..."`` of the same modules;
- ``python -I -c pass`` (interpreter start-up inside the sandbox).

Figures are reported as seconds and as ratios against the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tracker.config import load_settings
from tracker.models import get_target
from tracker.probe.runner import (
    ProbeRequest,
    _install_argv,
    _module_order,
    _run_imports,
    _uv,
    _uv_env,
)
from tracker.probe.sandbox import Limits, choose_sandbox
from tracker.probe.venv_distributions import find_site_packages, read_distributions
from tracker.pythons.discover import find_interpreter


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("requirement", nargs="?", default="numpy")
    parser.add_argument("--target", default="3.14t")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    settings = load_settings()
    interpreter = find_interpreter(get_target(args.target), settings)
    sandbox = choose_sandbox()
    request = ProbeRequest(requirement=args.requirement, index_url=settings.require_index_url())
    env = _uv_env(settings.uv_cache_dir)
    with tempfile.TemporaryDirectory(prefix="fttrack-bench-") as tmp:
        scratch = Path(tmp)
        scratch.chmod(0o755)
        venv = scratch / "venv"
        started = time.monotonic()
        subprocess.run([_uv(), "venv", "--python", str(interpreter.path), "--no-project", "--no-config",
                        "--quiet", str(venv)], check=True, env=env)  # fmt: skip
        venv_s = time.monotonic() - started
        started = time.monotonic()
        subprocess.run(
            _install_argv(request, venv), check=True, env=env, capture_output=True, cwd=scratch
        )
        install_s = time.monotonic() - started
        dists = read_distributions(find_site_packages(venv), interpreter.extension_suffixes)
        own = next(d for d in dists if d.key == request.project)
        modules = _module_order(own)
        limits = Limits()

        probe_runs, bare_runs, start_runs = [], [], []
        per_module: dict[str, float] = {}
        for attempt in range(args.repeat):
            work = scratch / f"run-{attempt}"
            work.mkdir()
            started = time.monotonic()
            run = _run_imports(modules, interpreter=interpreter, venv=venv, sandbox=sandbox,
                               limits=limits, scratch=work, progress=lambda m: None)  # fmt: skip
            probe_runs.append(time.monotonic() - started)
            per_module = {name: r.seconds for name, r in run.outcomes.items()}
            for label, code, sink in (
                ("bare", "import " + ", ".join(modules), bare_runs),
                ("start", "pass", start_runs),
            ):
                log = work / label
                log.mkdir()
                report = sandbox.run([str(venv / "bin" / "python"), "-I", "-c", code],
                                     ro_paths=[interpreter.prefix, venv], limits=limits, log_dir=log)  # fmt: skip
                sink.append(report.wall_seconds)

    probe_s, bare_s, start_s = (statistics.median(r) for r in (probe_runs, bare_runs, start_runs))
    print(f"{own.name} {own.version} on {interpreter.target.name} (CPython {interpreter.version}), "
          f"sandbox {sandbox.level}, {len(modules)} modules ({len(own.extension_modules)} extension), "
          f"median of {args.repeat}")  # fmt: skip
    print(f"  venv                 {venv_s:7.3f} s")
    print(f"  install (uv, cached) {install_s:7.3f} s")
    print(f"  probe imports        {probe_s:7.3f} s   = {probe_s / bare_s:5.2f} x bare import")
    print(
        f"  bare import          {bare_s:7.3f} s   = 1.00 x (baseline: python -I -c 'import ...')"
    )
    print(f"  interpreter start    {start_s:7.3f} s   = {start_s / bare_s:5.2f} x bare import")
    print(f"  probe total          {venv_s + install_s + probe_s:7.3f} s")
    slowest = sorted(per_module.items(), key=lambda item: -item[1])[:5]
    print(
        "  slowest imports: " + ", ".join(f"{name} {secs * 1000:.0f} ms" for name, secs in slowest)
    )


if __name__ == "__main__":
    main()
