"""``fttrack snapshot build``: the shipped verdict snapshot, from real PyPI and real probes."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.vocabulary import default_probe_targets

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import ProgressColumn

    from tracker.config import Settings
    from tracker.models import ProbeJob, ProbeResult
    from tracker.probe.sandbox import Limits
    from tracker.snapshot_build import JobPlan
    from tracker.store.engine import Store

__all__ = ["snapshot_group"]

#: Passes after the first, each probing the candidates the one before made (see
#: ``build_command``); a first-ready search over 256 releases ends within eight.
FOLLOW_UP_PASSES = 8

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
    type=click.Choice(["all", "regular", "large", "sdist"]),
    default="all",
    show_default=True,
    help="Which probes to run: the regular ones (with their follow-up passes, and the sdist "
    "builds), the large ones, both, or only the sdist builds. A large-wheel probe mostly "
    "downloads and unpacks: run '--phase large --no-crawl' beside a '--phase regular' "
    "build on the same work database to overlap them.",
)
def build_command(
    top: int,
    names_from: Path | None,
    targets: tuple[str, ...],
    db_url: str | None,
    output: Path,
    probe_workers: int,
    large_workers: int,
    large_wheel_mb: int,
    max_wheel_mb: int,
    max_probes: int | None,
    no_crawl: bool,
    save_every: int,
    reprobe: tuple[str, ...],
    dependents: bool,
    refresh_metadata: bool,
    phase: str,
    sdists: bool,
) -> None:
    """Crawl the top projects, probe their newest free-threaded releases, write the snapshot.

    Resumable and safe to stop (Ctrl-C or SIGTERM: running probes finish, the
    snapshot is written, then it exits): the work database keeps every crawl and
    probe, a probed (release, target) is never probed twice, and the snapshot
    file is rewritten atomically every --save-every probes and at the end.

    A probe can make a new candidate (a "first ready" release that turns out to
    re-enable the GIL names a newer one): follow-up passes probe those, in the
    regular phase and in the large one, so one run leaves nothing it could probe
    behind.

    \b
    Examples:
      fttrack snapshot build                      # top 5,000 on 3.13t, 3.14t, 3.15t
      fttrack snapshot build --top 200 --max-probes 50
      fttrack snapshot build --phase regular &    # two builds, one work database:
      fttrack snapshot build --phase large --no-crawl   # (start it once the crawl is done)
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tracker.config import load_settings
    from tracker.crawl import crawl_once, probe_candidates
    from tracker.jobs import is_sdist_only
    from tracker.probe.runner import shared_wheel_cache
    from tracker.service import load_seed_names
    from tracker.snapshot_build import (
        LARGE_LIMITS,
        directory_size,
        job_wheel_sizes,
        newest_wheel_sizes,
        plan_jobs,
        write_snapshot,
    )
    from tracker.store.engine import open_store

    console = Console(stderr=True)
    _stop_on_sigterm()
    settings = load_settings()
    work_db = db_url or f"sqlite:///{settings.data_dir / 'snapshot-work.db'}"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(settings, db_url=work_db)
    columns = (TextColumn("[bold]{task.fields[phase]}[/]"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.description}"))  # fmt: skip
    with open_store(work_db, snapshot=output if output.exists() else None) as store:
        names = load_seed_names(top, names_from)
        store.add_to_watchlist(names, "seed")
        if not no_crawl:
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("", total=len(names), phase="crawl")
                report = crawl_once(
                    names, store, index_url=settings.index_url, concurrency=settings.concurrency,
                    force=refresh_metadata,
                    progress=lambda n: bar.update(task, advance=1, description=n),
                )  # fmt: skip
            console.print(f"[green]crawl[/] {report.summary()}")

        def candidates() -> list[ProbeJob]:
            if phase == "sdist":
                found = probe_candidates(store, targets, names=names, sdist_builds=True)
                return [job for job in found if is_sdist_only(job, store)]
            return probe_candidates(
                store, targets, names=names, again=reprobe, newest_with_wheel=True,
                pure_with_binary_deps=dependents, first_ready_releases=True,
                sdist_builds=sdists,
            )  # fmt: skip

        jobs = candidates()
        sizes = job_wheel_sizes(store, jobs)
        unsized = sorted({job.project for job in jobs if sizes[job] is None})
        if unsized and no_crawl:
            console.print(
                f"{len(unsized)} project(s) with unknown wheel sizes (seeded from a snapshot, "
                "which keeps no file list) are probed as small ones: run without --no-crawl "
                "to fetch their files first"
            )
        elif unsized:
            # Seeded from a snapshot, which keeps no file list: fetch their files to
            # learn how large a probe of them is.
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("", total=len(unsized), phase="file sizes")
                crawl_once(
                    unsized, store, index_url=settings.index_url,
                    concurrency=settings.concurrency, force=True,
                    progress=lambda n: bar.update(task, advance=1, description=n),
                )  # fmt: skip
            jobs = candidates()
            sizes = job_wheel_sizes(store, jobs)
        requires = store.project_requires(names)
        dependencies = {dep for deps in requires.values() for dep in deps}

        def plan_now(jobs: list[ProbeJob], sizes: dict[ProbeJob, int | None]) -> JobPlan:
            plan = plan_jobs(
                jobs, sizes, requires, newest_wheel_sizes(store, dependencies, targets),
                large_bytes=large_wheel_mb * 1024 * 1024, max_bytes=max_wheel_mb * 1024 * 1024,
            )  # fmt: skip
            if max_probes is not None:
                room = max(0, max_probes - runner.done)
                plan.regular = plan.regular[:room]
                plan.large = plan.large[: max(0, room - len(plan.regular))]
            return plan

        runner = _ProbeRunner(store, settings, output, save_every, console, columns)
        plan = plan_now(jobs, sizes)
        console.print(
            f"{len(plan.regular) + len(plan.large)} probe(s) to run, {len(plan.large)} of them "
            f"over {large_wheel_mb} MB (run last, {large_workers} at a time); "
            f"{len(plan.skipped)} skipped as larger than {max_wheel_mb} MB "
            "(or requiring such a release)"
        )
        if phase == "large":
            plan.regular = []

        def run_passes(
            part: Callable[[JobPlan], list[ProbeJob]],
            *,
            workers: int,
            labels: tuple[str, str],
            limits: Limits | None = None,
        ) -> tuple[bool, int]:
            """Probe ``part`` of the plan, then of each new plan while the last pass
            ran probes (follow-up passes): whether no stop came, and how many probes
            were planned in all.

            A probe can make a new candidate: a "first ready" release that re-enables
            the GIL (or fails to import) hands the title to a newer one (inference from
            the nearest probe puts it about halfway to the next probed ready release,
            so the search halves each pass). Large probes make them as regular ones do.
            """
            nonlocal plan
            planned = 0
            for number in range(1, FOLLOW_UP_PASSES + 2):
                if number > 1:
                    jobs = candidates()
                    plan = plan_now(jobs, job_wheel_sizes(store, jobs))
                    if not part(plan):
                        break
                    console.print(
                        f"{labels[1]} {number}: {len(part(plan))} probe(s) the last pass asked for"
                    )
                planned += len(part(plan))
                label = labels[0] if number == 1 else f"{labels[1]} {number}"
                if not runner.run(part(plan), workers=workers, phase=label, limits=limits):
                    return False, planned
                if not part(plan):
                    break  # nothing ran: nothing new to ask for
            return True, planned

        started = time.monotonic()
        finished, _ = run_passes(
            attrgetter("regular"), workers=probe_workers, labels=("probe", "pass")
        )
        if finished and phase != "regular" and plan.regular:
            # Planned again after probes ran: that may have taken hours, and another
            # build on the same work database may have probed some of these.
            jobs = candidates()
            plan = plan_now(jobs, job_wheel_sizes(store, jobs))
        if finished and phase != "regular" and plan.large:
            wheel_cache = shared_wheel_cache(settings.uv_cache_dir)
            cache_before = directory_size(wheel_cache)
            large_started, done_before = time.monotonic(), runner.done
            _, planned = run_passes(
                attrgetter("large"), workers=large_workers, labels=("large", "large pass"),
                limits=LARGE_LIMITS,
            )  # fmt: skip
            grown = (directory_size(wheel_cache) - cache_before) / 1e9
            console.print(
                f"[green]large wheels[/] {runner.done - done_before} of {planned} "
                f"probe(s) in "
                f"{time.monotonic() - large_started:.0f}s; wheel cache {wheel_cache} "
                f"grew by {grown:.1f} GB"
            )
        done = runner.done
        summaries = write_snapshot(store, output)
    size_mb = output.stat().st_size / 1e6
    console.print(
        f"[green]snapshot[/] {output}: {len(summaries)} projects, {size_mb:.1f} MB, "
        f"{done} probes in {time.monotonic() - started:.0f}s"
    )


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (and a SIGINT a background shell told this process to ignore)
    as Ctrl-C: running probes finish, the snapshot is written, the build exits."""
    import signal

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


class _ProbeRunner:
    """Runs probe jobs of a build with a progress bar, rewriting the snapshot as it goes."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        output: Path,
        save_every: int,
        console: Console,
        columns: tuple[ProgressColumn, ...],
    ) -> None:
        self.store, self.settings, self.output = store, settings, output
        self.save_every, self.console, self.columns = save_every, console, columns
        self.done = 0

    def run(
        self, jobs: list[ProbeJob], *, workers: int, phase: str, limits: Limits | None = None
    ) -> bool:
        """Probe ``jobs``, ``workers`` at a time; False when interrupted (Ctrl-C)."""
        from rich.progress import Progress

        from tracker.jobs import run_probe_job
        from tracker.snapshot_build import write_snapshot

        if not jobs:
            return True
        with (
            Progress(*self.columns, console=self.console) as bar,
            ThreadPoolExecutor(workers) as pool,
        ):
            task = bar.add_task("", total=len(jobs), phase=phase)
            futures = {
                pool.submit(run_probe_job, job, self.store, self.settings, limits=limits): job
                for job in jobs
            }
            try:
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        status = str(future.result().status)
                    except Exception as exc:  # keep going: one job must not end the build
                        status = f"error: {exc}"
                        self.console.print(
                            f"[red]{job.project} {job.version} {job.target}[/]: {exc}"
                        )
                    self.done += 1
                    bar.update(task, advance=1, description=f"{job.project} {job.target}: {status}")
                    if self.done % self.save_every == 0:
                        write_snapshot(self.store, self.output)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                self.console.print(
                    "[yellow]interrupted[/]: finished probes are stored; run again to resume"
                )
                return False
        return True


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
