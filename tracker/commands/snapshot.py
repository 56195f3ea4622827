"""``fttrack snapshot build``: the shipped verdict snapshot, from real PyPI and real probes."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.vocabulary import StressStatus, default_probe_targets, default_stress_targets

if TYPE_CHECKING:
    from rich.console import Console

    from tracker.models import ProbeJob, ProbeResult

__all__ = ["snapshot_group"]

#: The snapshot is built into the source tree.
REPO_DATA = Path(__file__).resolve().parents[2] / "data"


@click.group("snapshot")
def snapshot_group() -> None:
    """Build the verdict snapshot shipped in data/ (the auditor's offline source)."""


@snapshot_group.command("build")
@click.option(
    "--top", default=5000, show_default=True, help="How many of the most downloaded projects."
)
@click.option(
    "--names-from",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Read the project names (one per line, most important first) from this file "
    "[default: the shipped data/top-pypi-packages.txt].",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    default=default_probe_targets(),
    show_default=True,
    help="Targets to probe (repeatable); each needs an interpreter.",
)
@click.option(
    "--db", "db_url", help="Work database (default: SQLite in the data dir, kept between runs)."
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=REPO_DATA / "snapshot.json.gz",
    show_default=True,
    help="Where to write the snapshot.",
)
@click.option(
    "--probe-workers", type=click.IntRange(min=1), default=2, show_default=True,
    help="Probes at once.",
)  # fmt: skip
@click.option(
    "--large-workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Large-wheel probes at once. Each may use the larger memory budget (12 GiB) and "
    "unpacks several GB: raise it on a machine with the memory and disk for two.",
)
@click.option(
    "--large-wheel-mb",
    default=150,
    show_default=True,
    help="Probe releases whose free-threaded wheel is larger than this (or that require one) "
    "after the others, --large-workers at a time, with a larger time and memory budget.",
)
@click.option(
    "--max-wheel-mb",
    default=4000,
    show_default=True,
    help="Skip probing releases whose free-threaded wheel is larger than this.",
)
@click.option("--max-probes", type=int, help="Stop after this many probes (resume later).")
@click.option("--no-crawl", is_flag=True, help="Skip the crawl (probe and export what is stored).")
@click.option(
    "--save-every", default=20, show_default=True, help="Rewrite the snapshot every N probes."
)
@click.option(
    "--dependents/--no-dependents",
    default=True,
    show_default=True,
    help="Also probe pure releases that require a project with extension modules.",
)
@click.option(
    "--refresh-metadata",
    is_flag=True,
    help="Fetch every page and its metadata again, even when the index says it is unchanged.",
)
@click.option(
    "--reprobe",
    multiple=True,
    metavar="STATUS",
    help="Probe again current releases whose latest probe has this status (repeatable).",
)
@click.option(
    "--sdists/--no-sdists",
    default=True,
    show_default=True,
    help="Also build current releases that ship only an sdist (in the sandbox, offline) and "
    "judge the wheel: pure when it has no extension modules, else probed like any wheel.",
)
@click.option(
    "--phase",
    type=click.Choice(["all", "regular", "large", "sdist", "stress"]),
    default="all",
    show_default=True,
    help="Which work to do: the regular probes (with their follow-up passes, and the sdist "
    "builds), the large ones, only the sdist builds, only the stress runs, or all of them "
    "(stress runs last). A large-wheel probe mostly downloads and unpacks: run '--phase "
    "large --no-crawl' beside a '--phase regular' build on the same work database to "
    "overlap them.",
)
@click.option(
    "--stress-target",
    "stress_targets",
    multiple=True,
    default=default_stress_targets(),
    show_default=True,
    help="Targets on which each current ready release with extension modules gets its own "
    "tests run in threads (the stress phase; repeatable).",
)
@click.option(
    "--stress-workers", type=click.IntRange(min=1), default=1, show_default=True,
    help="Stress runs at once (each runs 8 test threads).",
)  # fmt: skip
@click.option(
    "--restress",
    multiple=True,
    type=click.Choice([s.value for s in StressStatus]),
    metavar="STATUS",
    help="Stress again current releases whose newest stress result has this status "
    "(repeatable); the new run is added to the history.",
)
@click.option(
    "--stress-budget", type=click.IntRange(min=30), default=600, show_default=True,
    help="Seconds one stress run may take; a bigger suite runs a deterministic subset "
    "and says what fraction ran.",
)  # fmt: skip
def build_command(top: int, names_from: Path | None, db_url: str | None, **options: Any) -> None:
    """Crawl the top projects, probe their newest free-threaded releases, write the snapshot.

    Resumable and safe to stop (Ctrl-C or SIGTERM: running probes finish, the
    snapshot is written, then it exits): the work database keeps every crawl and
    probe, a probed (release, target) is never probed twice, and the snapshot
    file is rewritten atomically every --save-every probes and at the end.

    A probe can make a new candidate (a "first ready" release that turns out to
    re-enable the GIL names a newer one): follow-up passes probe those, in the
    regular phase and in the large one, so one run leaves nothing it could probe
    behind.

    The stress phase comes last: the current release of each project probed
    ready with extension modules on a --stress-target runs its own tests in
    threads (docs/stress.md); a release with a stress result is not run again.

    \b
    Examples:
      fttrack snapshot build                      # top 5,000 on 3.13t, 3.14t, 3.15t
      fttrack snapshot build --top 200 --max-probes 50
      fttrack snapshot build --phase regular &    # two builds, one work database:
      fttrack snapshot build --phase large --no-crawl   # (start it once the crawl is done)
      fttrack snapshot build --phase stress --no-crawl --stress-budget 300
    """
    from rich.console import Console

    from tracker.config import load_settings
    from tracker.service import load_seed_names
    from tracker.snapshot_run import BuildOptions, build_snapshot
    from tracker.store.engine import open_store

    console = Console(stderr=True)
    _stop_on_sigterm()
    settings = load_settings()
    work_db = db_url or f"sqlite:///{settings.data_dir / 'snapshot-work.db'}"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(settings, db_url=work_db)
    build = BuildOptions(**options)  # the other options, by the same names
    output = build.output
    with open_store(work_db, snapshot=output if output.exists() else None) as store:
        names = load_seed_names(top, names_from)
        built = build_snapshot(store, settings, names, build, _ConsoleReport(console))
    size_mb = output.stat().st_size / 1e6
    console.print(
        f"[green]snapshot[/] {output}: {built.projects} projects, {size_mb:.1f} MB, "
        f"{built.probes} probes in {built.seconds:.0f}s"
    )


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (and a SIGINT a background shell told this process to ignore)
    as Ctrl-C: running probes finish, the snapshot is written, the build exits."""
    import signal

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


class _ConsoleReport:
    """A build's progress on the terminal (stderr): rich progress bars and lines."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @contextlib.contextmanager
    def bar(self, phase: str, total: int, *, keep: bool) -> Iterator[Callable[[str], None]]:
        """A progress bar for ``phase``; yields the call that advances it by one."""
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (TextColumn("[bold]{task.fields[phase]}[/]"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("{task.description}"))  # fmt: skip
        with Progress(*columns, console=self.console, transient=not keep) as progress:
            task = progress.add_task("", total=total, phase=phase)
            yield lambda description: progress.update(task, advance=1, description=description)

    def news(self, label: str, text: str) -> None:
        """``label`` in green, then ``text``."""
        self.console.print(f"[green]{label}[/] {text}")

    def note(self, text: str) -> None:
        """One line as it is."""
        self.console.print(text)

    def failed(self, job: ProbeJob, error: Exception) -> None:
        """The job in red and what it raised."""
        self.console.print(f"[red]{job.project} {job.version} {job.target}[/]: {error}")

    def interrupted(self) -> None:
        """Finished probes are stored."""
        self.console.print(
            "[yellow]interrupted[/]: finished probes are stored; run again to resume"
        )


@snapshot_group.command("verify")
@click.option(
    "--sample",
    "size",
    default=40,
    show_default=True,
    help="How many probed releases to probe again.",
)
@click.option(
    "--snapshot",
    "path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The snapshot to check [default: the shipped one].",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    help="Only releases probed on this target (repeatable) [default: every target this "
    "machine has an interpreter for].",
)
@click.option("--seed", type=int, help="Random seed (the same seed draws the same sample).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify_command(
    size: int, path: Path | None, targets: tuple[str, ...], seed: int | None, as_json: bool
) -> None:
    """Probe a random sample of the snapshot's probed releases again and report agreement.

    Nothing is stored. Each release is installed from the configured index into
    a real free-threaded interpreter and imported in the sandbox, as when the
    snapshot was built; the status found today is compared with the one recorded.

    \b
    Examples:
      fttrack snapshot verify --sample 40
      fttrack snapshot verify --sample 10 --target 3.14t --seed 7 --json
    """
    import json

    from rich.console import Console

    from tracker.archive import Archive
    from tracker.config import load_settings
    from tracker.datafiles import snapshot_path
    from tracker.jobs import probe_job
    from tracker.probe.sdist import built_from_sdist
    from tracker.pythons.discover import find_interpreters
    from tracker.verify import Check, probed_jobs, sample_jobs, verify

    console = Console(stderr=True)
    settings = load_settings()
    here = sorted({i.target.name for i in find_interpreters(settings)})
    chosen = list(targets) or here
    missing = [t for t in chosen if t not in here]
    if missing:
        raise click.UsageError(
            f"no free-threaded interpreter for {', '.join(missing)} here: "
            f"run 'fttrack python install {missing[0]}'"
        )
    archive = Archive(path or snapshot_path())
    population = probed_jobs(archive.documents(), chosen)
    sample = sample_jobs(population, size, seed=seed)
    console.print(
        f"probing {len(sample)} of the {len(population)} probed releases of "
        f"{(path or snapshot_path()).name} again ({', '.join(chosen)})"
    )

    def show(check: Check) -> None:
        mark = "[green]=[/]" if check.agrees else "[red]≠[/]"
        now = check.now.value if check.now is not None else f"error: {check.error}"
        job = check.job
        console.print(f"{mark} {job.project} {job.version} {job.target}: "
                      f"{check.recorded.value} → {now}")  # fmt: skip

    def again(job: ProbeJob) -> ProbeResult:
        """Probe ``job`` as it was judged: by building its sdist when a build decided it."""
        document = archive.document(job.project)
        release = next((r for r in document.releases if r.version == job.version), None) if (
            document is not None
        ) else None  # fmt: skip
        verdict = release.targets.get(job.target) if release is not None else None
        probed = verdict.probe if verdict is not None else None
        from_sdist = probed is not None and built_from_sdist(probed.detail)
        return probe_job(job, settings, from_sdist=from_sdist)

    report = verify(sample, again, progress=show)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "sample": len(report.checks),
                    "population": len(population),
                    "agreed": report.agreed,
                    "errors": report.errors,
                    "checks": [
                        {
                            "project": c.job.project,
                            "version": c.job.version,
                            "target": c.job.target,
                            "recorded": c.recorded.value,
                            "now": c.now.value if c.now is not None else None,
                            "error": c.error or None,
                        }
                        for c in report.checks
                    ],
                },
                indent=2,
            )
        )
    console.print(f"[bold]{report.summary_line()}[/]")
