"""``fttrack crawl``: fetch projects from the index into the store, optionally probe."""

from __future__ import annotations

import dataclasses

import click

from tracker.commands.options import TARGET_NAMES_HELP

__all__ = ["crawl"]


@click.command("crawl")
@click.argument("names", nargs=-1)
@click.option("--db", "db_url", envvar="FTTRACK_DB", help="Database URL (env FTTRACK_DB).")
@click.option(
    "--top", type=int, help="Crawl this many of the most downloaded projects (seed list)."
)
@click.option(
    "--watch/--no-watch",
    default=True,
    show_default=True,
    help="Add the named projects to the watch list (reason 'manual').",
)
@click.option(
    "--probe",
    "probe_targets",
    multiple=True,
    metavar="TARGET",
    help=f"Then probe new free-threaded releases on TARGET (repeatable: {TARGET_NAMES_HELP}).",
)
@click.option("--concurrency", type=int, help="Requests in flight (default 8).")
@click.option("--no-metadata", is_flag=True, help="Skip reading core metadata (classifiers).")
def crawl(
    names: tuple[str, ...],
    db_url: str | None,
    top: int | None,
    watch: bool,
    probe_targets: tuple[str, ...],
    concurrency: int | None,
    no_metadata: bool,
) -> None:
    """Fetch NAMES (default: the whole watch list) from the index and classify their files.

    Every version's files are classified by tag (targets 3.13t/3.14t/3.15t,
    abi3t, platforms, pure, sdist, yanked). A project whose _last-serial (or
    ETag) has not changed since the last crawl is not processed again.

    \b
    Examples:
      fttrack crawl numpy scipy
      fttrack crawl --top 100
      fttrack crawl numpy --probe 3.14t
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tracker.config import load_settings
    from tracker.crawl import crawl_once, probe_candidates
    from tracker.jobs import run_probe_job
    from tracker.service import load_seed_names
    from tracker.store.engine import open_store

    settings = load_settings()
    if db_url:
        settings = dataclasses.replace(settings, db_url=db_url)
    console = Console(stderr=True)
    with open_store(settings.db_url) as store:
        wanted = list(names)
        if top:
            seed = load_seed_names(top)
            store.add_to_watchlist(seed, "seed")
            wanted += seed
        if names and watch:
            store.add_to_watchlist(names, "manual")
        if not wanted:
            wanted = [name for name, _reason in store.watchlist()]
        if not wanted:
            raise click.UsageError("nothing to crawl: name projects, use --top N, or watch some")
        with Progress(
            TextColumn("[bold]crawl[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=console, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("", total=len(set(wanted)))
            report = crawl_once(
                wanted, store, index_url=settings.index_url,
                concurrency=concurrency or settings.concurrency, with_metadata=not no_metadata,
                progress=lambda name: bar.update(task, advance=1, description=name),
            )  # fmt: skip
        console.print(f"[green]crawled[/] {report.summary()}")
        for name, error in sorted(report.failed.items()):
            console.print(f"  [red]failed[/] {name}: {error}")
        if report.not_found:
            console.print(f"  [yellow]not on the index[/]: {', '.join(sorted(report.not_found))}")
        if probe_targets:
            jobs = probe_candidates(store, probe_targets, names=wanted)
            console.print(f"probing {len(jobs)} release(s)")
            for job in jobs:
                with console.status(f"probing {job.project} {job.version} on {job.target}"):
                    result = run_probe_job(job, store, settings)
                console.print(
                    f"  {job.project} {job.version} {job.target}: [bold]{result.status}[/]"
                )
