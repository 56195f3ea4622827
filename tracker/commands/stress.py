"""``fttrack stress``: run a release's own tests in many threads, in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.commands.options import NEWEST_TARGET, PROBE_TARGET_HELP, parse_target, release_request
from tracker.models import to_jsonable
from tracker.stress.result import StressResult, StressStatus

__all__ = ["print_stress", "stress"]

STRESS_STYLE = {
    StressStatus.CRASHED: "bold red",
    StressStatus.DEADLOCKED: "bold red",
    StressStatus.RACES: "red",
    StressStatus.UNSAFE_TESTS: "yellow",
    StressStatus.PASSED: "bold green",
    StressStatus.NO_TESTS: "dim",
}


@click.command("stress")
@click.argument("requirement", required=False, metavar="[NAME[==VERSION]]")
@click.option("--target", "-t", default=NEWEST_TARGET, callback=parse_target,
              help=PROBE_TARGET_HELP)  # fmt: skip
@click.option("--wheel", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Stress this local wheel instead of a project from the index.")  # fmt: skip
@click.option("--find-links", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory of wheels (and the sdist) to install from; repeatable.")  # fmt: skip
@click.option("--sdist", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Take the tests from this sdist when the wheel ships none.")  # fmt: skip
@click.option("--index-url", help="Simple-API index URL (default: the configured index).")
@click.option("--offline", is_flag=True, help="Use no index: only --wheel and --find-links.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(2, 64),
              help="Threads per test in the threaded runs (--parallel-threads).")  # fmt: skip
@click.option("--iterations", default=1, show_default=True, type=click.IntRange(1, 100),
              help="Times each thread runs each test (--iterations).")  # fmt: skip
@click.option("--budget", default=600.0, show_default=True, type=click.FloatRange(30),
              help="Seconds for the whole run; a bigger suite runs a seeded subset.")  # fmt: skip
@click.option("--stall", default=120.0, show_default=True, type=click.FloatRange(1),
              help="Seconds a test may go without progress before it counts as hung "
                   "(at most a fifth of --budget).")  # fmt: skip
@click.option("--max-tests", default=3000, show_default=True, type=click.IntRange(1),
              help="At most this many tests (whole files, picked by --seed).")  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the subset.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--sandbox", "sandbox_level", type=click.Choice(["bwrap", "unshare", "none"]),
              help="Force a sandbox level (default: the strongest available).")  # fmt: skip
@click.option("--unsafe-no-sandbox", is_flag=True,
              help="Allow running the tests WITHOUT isolation when no sandbox works.")  # fmt: skip
def stress(
    requirement: str | None,
    target: object,
    wheel: Path | None,
    find_links: tuple[Path, ...],
    sdist: Path | None,
    index_url: str | None,
    offline: bool,
    threads: int,
    iterations: int,
    budget: float,
    stall: float,
    max_tests: int,
    seed: int,
    as_json: bool,
    sandbox_level: str | None,
    unsafe_no_sandbox: bool,
) -> None:
    """Run a release's own tests alone, in threads without the GIL, and in threads with it.

    The release is installed (wheels only) into a venv of the real free-threaded
    interpreter; its tests come from the wheel, else from its sdist (run against
    the installed wheel), inside the same sandbox as the import probe. Status,
    worst first: crashed, deadlocked, races, unsafe-tests, passed, no-tests
    (docs/stress.md says what each means and does not).

    Exit code 0 when the run finished, whatever the status; 2 when it could not.

    \b
    Examples:
      fttrack stress markupsafe --target 3.14t
      fttrack stress 'numpy==2.5.5' --threads 4 --json
      fttrack stress --wheel dist/mypkg-1.0-cp314-cp314t-linux_x86_64.whl \\
        --sdist dist/mypkg-1.0.tar.gz
    """
    from rich.console import Console

    from tracker.config import load_settings
    from tracker.models import Target
    from tracker.probe.stress import StressRequest
    from tracker.probe.stress import stress as run

    assert isinstance(target, Target)
    settings = load_settings()
    release = release_request(requirement, wheel, find_links, index_url, offline, settings)
    request = StressRequest(release, threads=threads, iterations=iterations,
                            budget_seconds=budget, stall_seconds=stall, max_tests=max_tests,
                            seed=seed, sdist=sdist)  # fmt: skip
    console = Console(stderr=True)
    with console.status(f"stressing {requirement or wheel} on {target.name}") as status:
        name = target.name
        result = run(request, target, settings, sandbox_level=sandbox_level,
                     allow_unsafe=unsafe_no_sandbox,
                     progress=lambda message: status.update(f"{name}: {message}"))  # fmt: skip
    if as_json:
        click.echo(json.dumps(to_jsonable(result), indent=2))
    else:
        print_stress(result)


def print_stress(result: StressResult) -> None:
    """A readable summary of one stress run on stdout: the status, the failing tests
    with their class, and the command that reproduces the threaded run."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    style = STRESS_STYLE.get(result.status, "")
    console.print(
        f"[bold]{escape(result.project)} {escape(result.version)}[/] on [bold]{result.target}[/] "
        f"({result.platform}, CPython {result.interpreter}, sandbox {escape(result.sandbox)}): "
        f"[{style}]{result.status}[/]"
    )
    share = f" ({result.fraction:.0%} of {result.tests_collected})" if result.fraction < 1 else ""
    console.print(
        f"  {result.tests_run} test(s) run{share} from the {result.source or 'nowhere'}, "
        f"{result.tests_failed} failing in {result.threads} threads x {result.iterations}; "
        f"pytest {result.pytest_version or '-'}, pytest-run-parallel "
        f"{result.run_parallel_version or '-'}"
    )
    if result.detail:
        console.print(f"  {escape(result.detail)}")
    if result.not_installed:
        console.print(f"  not installed: {escape(', '.join(result.not_installed))}")
    if result.not_collected:
        console.print(f"  not collected: {escape(', '.join(result.not_collected[:10]))}")
    if result.failures:
        table = Table("test", "class", "detail", box=None, pad_edge=False)
        for failure in result.failures:
            first = failure.detail.splitlines()[0] if failure.detail else ""
            flaky = " (flaky)" if failure.flaky else ""
            table.add_row(escape(failure.id), f"{failure.failure}{flaky}", escape(first[:100]))
        console.print(table)
        for failure in result.failures:
            if failure.failure in ("crash", "deadlock") and failure.detail:
                console.print(f"[dim]{escape(failure.id)}:[/]")
                console.print(escape(failure.detail[:2000]), markup=False, highlight=False)
    if result.reproduce and result.tests_run:
        console.print("[dim]reproduce on a machine of yours (a free-threaded python):[/]")
        console.print(result.reproduce, markup=False, highlight=False)
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    console.print(f"[dim]{timings}[/]")
