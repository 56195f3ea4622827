"""``fttrack snapshot build``: the shipped verdict snapshot, from real PyPI and real probes."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import click

__all__ = ["snapshot_group"]

#: The snapshot is built into the source tree.
REPO_DATA = Path(__file__).resolve().parents[2] / "data"


@click.group("snapshot")
def snapshot_group() -> None:
    """Build the verdict snapshot shipped in data/ (the auditor's offline source)."""


@snapshot_group.command("build")
@click.option(
    "--top", default=2000, show_default=True, help="How many of the most downloaded projects."
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    default=("3.13t", "3.14t", "3.15t"),
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
@click.option("--probe-workers", default=2, show_default=True, help="Probes at once.")
@click.option(
    "--max-wheel-mb",
    default=150,
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
def build_command(
    top: int,
    targets: tuple[str, ...],
    db_url: str | None,
    output: Path,
    probe_workers: int,
    max_wheel_mb: int,
    max_probes: int | None,
    no_crawl: bool,
    save_every: int,
    reprobe: tuple[str, ...],
    dependents: bool,
    refresh_metadata: bool,
) -> None:
    """Crawl the top projects, probe their newest free-threaded releases, write the snapshot.

    Resumable and safe to stop: the work database keeps every crawl and probe,
    a probed (release, target) is never probed twice, and the snapshot file is
    rewritten atomically every --save-every probes and at the end.

    \b
    Examples:
      fttrack snapshot build                      # top 2,000 on 3.13t, 3.14t, 3.15t
      fttrack snapshot build --top 200 --max-probes 50
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tracker.config import load_settings
    from tracker.crawl import crawl_once, probe_candidates
    from tracker.jobs import run_probe_job
    from tracker.service import load_seed_names
    from tracker.snapshot import job_wheel_sizes, write_snapshot
    from tracker.store.engine import open_store

    console = Console(stderr=True)
    settings = load_settings()
    work_db = db_url or f"sqlite:///{settings.data_dir / 'snapshot-work.db'}"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(settings, db_url=work_db)
    columns = (TextColumn("[bold]{task.fields[phase]}[/]"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.description}"))  # fmt: skip
    with open_store(work_db, snapshot=output if output.exists() else None) as store:
        names = load_seed_names(top)
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
        jobs = probe_candidates(
            store, targets, names=names, again=reprobe, newest_with_wheel=True,
            pure_with_binary_deps=dependents, first_ready_releases=True,
        )  # fmt: skip
        sizes = job_wheel_sizes(store, jobs)
        too_big = [j for j in jobs if sizes[j] > max_wheel_mb * 1024 * 1024]
        # A release that requires one of those would install it too.
        heavy = {(j.project, j.target) for j in too_big}
        requires = store.project_requires(names)
        too_big += [
            j
            for j in jobs
            if j not in too_big
            and any((dep, j.target) in heavy for dep in requires.get(j.project, ()))
        ]
        jobs = [j for j in jobs if j not in too_big]
        if max_probes is not None:
            jobs = jobs[:max_probes]
        console.print(
            f"{len(jobs)} probe(s) to run; {len(too_big)} skipped as larger than {max_wheel_mb} MB "
            "(or requiring such a release)"
        )
        done = 0
        started = time.monotonic()
        with Progress(*columns, console=console) as bar, ThreadPoolExecutor(probe_workers) as pool:
            task = bar.add_task("", total=len(jobs), phase="probe")
            futures = {pool.submit(run_probe_job, job, store, settings): job for job in jobs}
            try:
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        status = str(future.result().status)
                    except Exception as exc:  # keep going: one job must not end the build
                        status = f"error: {exc}"
                        console.print(f"[red]{job.project} {job.version} {job.target}[/]: {exc}")
                    done += 1
                    bar.update(task, advance=1, description=f"{job.project} {job.target}: {status}")
                    if done % save_every == 0:
                        write_snapshot(store, output)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                console.print(
                    "[yellow]interrupted[/]: finished probes are stored; run again to resume"
                )
        summaries = write_snapshot(store, output)
    size_mb = output.stat().st_size / 1e6
    console.print(
        f"[green]snapshot[/] {output}: {len(summaries)} projects, {size_mb:.1f} MB, "
        f"{done} probes in {time.monotonic() - started:.0f}s"
    )
