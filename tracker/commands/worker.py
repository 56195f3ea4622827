"""``fttrack worker``: run probe jobs from the PostgreSQL queue (scale-out)."""

from __future__ import annotations

import logging

import click

__all__ = ["worker"]


@click.command("worker")
@click.option(
    "--db",
    "db_url",
    envvar="FTTRACK_DB",
    required=True,
    help="PostgreSQL URL of the tracker database (env FTTRACK_DB).",
)
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs run at once by this worker (import probes first, then stress jobs).",
)
@click.option(
    "--stress-concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Stress jobs (a release's own tests in threads) run at once by this worker.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    help="Only these targets (repeatable; default: every target with a local interpreter).",
)
@click.option(
    "--heartbeat",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.2),
    help="Seconds between heartbeats.",
)
@click.option(
    "--stalled-after",
    default=30.0,
    show_default=True,
    type=click.FloatRange(1.0),
    help="A worker without a heartbeat this long is dead: its jobs are requeued.",
)
@click.option(
    "--max-attempts",
    default=3,
    show_default=True,
    type=click.IntRange(1, 100),
    help="Tries per job; a job whose worker died this often is recorded as crashed.",
)
@click.option(
    "--poll-seconds",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Look for jobs at least this often (new jobs also wake the worker at once).",
)
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option("--sandbox", "sandbox_level", help="Force a sandbox level (default: strongest).")
def worker(
    db_url: str,
    concurrency: int,
    stress_concurrency: int,
    targets: tuple[str, ...],
    heartbeat: float,
    stalled_after: float,
    max_attempts: int,
    poll_seconds: float,
    burst: bool,
    sandbox_level: str | None,
) -> None:
    """Take probe jobs queued by 'fttrack serve' on PostgreSQL and run them here.

    Listens on one queue per target whose free-threaded interpreter this
    machine has (probe-3.13t, probe-3.14t, ...). Each job installs a release
    and imports it in the sandbox, then stores the verdict in the database.
    Run as many workers, on as many machines, as you like: every job runs
    once. Below the probes on the same queues, stress jobs run the release's
    own tests in threads in the sandbox (docs/stress.md), at most
    --stress-concurrency at once. A worker killed mid-probe is noticed by its missing heartbeat and
    its job is retried elsewhere; after --max-attempts such deaths the
    release is recorded as crashed. SIGTERM: finish running probes, cut running
    stress jobs short (nothing recorded; the job is tried again), then exit (a
    second SIGTERM exits at once).

    \b
    Examples:
      fttrack worker --db postgresql://fttrack@db/fttrack
      fttrack worker --db postgresql://fttrack@db/fttrack --concurrency 2 --target 3.14t
    """
    import dataclasses

    from tracker.config import load_settings
    from tracker.errors import ConfigError, InterpreterError
    from tracker.probe.leftovers import remove_leftovers
    from tracker.pythons.discover import find_interpreters
    from tracker.queue.connection import require_postgres
    from tracker.queue.worker import WorkerOptions, run_worker
    from tracker.redact import redact_record
    from tracker.store.engine import open_store

    require_postgres(db_url, "the worker")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:  # no credentials, no control characters
        handler.addFilter(redact_record)
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    logging.getLogger("procrastinate.worker").setLevel(logging.INFO)
    settings = dataclasses.replace(load_settings(), db_url=db_url)
    remove_leftovers()  # the directories and cgroups of probes whose process died
    local = sorted({i.target.name for i in find_interpreters(settings)})
    if targets:
        missing = [t for t in targets if t not in local]
        if missing:
            raise InterpreterError(
                f"no free-threaded interpreter here for {', '.join(missing)} "
                f"(found: {', '.join(local) or 'none'}); run 'fttrack python install'"
            )
        chosen = tuple(dict.fromkeys(targets))
    else:
        chosen = tuple(local)
    if not chosen:
        raise ConfigError(
            "no free-threaded interpreter on this machine: nothing to probe "
            "(run 'fttrack python install 3.14t')"
        )
    store = open_store(db_url, seed=False)  # seeding is 'fttrack serve''s job, never a worker's
    options = WorkerOptions(
        targets=chosen,
        concurrency=concurrency,
        stress_concurrency=stress_concurrency,
        heartbeat=heartbeat,
        stalled_after=stalled_after,
        max_attempts=max_attempts,
        burst=burst,
        poll_seconds=poll_seconds,
        sandbox_level=sandbox_level,
    )
    try:
        run_worker(db_url, store, settings, options)
    finally:
        store.close()
