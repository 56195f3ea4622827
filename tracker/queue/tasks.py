"""The worker side: the probe task and the recovery of jobs whose worker died.

A probe job runs :func:`tracker.jobs.run_probe_job` (the untrusted code runs
only inside the probe's sandbox) and stores its result in the probe history.
Retries are idempotent: a job whose release+target was probed after the job
was queued (e.g. its worker died between storing the result and marking the
job done) is marked done without probing again.

A worker killed mid-job (``kill -9``, OOM, power loss) leaves its job
``doing``. Its heartbeat stops; every worker looks for such *stalled* jobs on
its queues every few seconds (:func:`recover_stalled`) and puts them back in
the queue, each time counting a try. A job whose worker died ``max_attempts``
times is given up: the job is marked failed and the release gets a probe
history row with status ``crashed`` saying so.

A stalled job still holds its release's lock, so a second job of the same
release+target queued meanwhile (a crawl or an API request that did not see
the stalled one) can never start, and putting the stalled job back would break
the queueing lock (one waiting job per release+target). Recovery therefore
cancels such waiting duplicates in the same transaction that puts the stalled
job back: the stalled job, with its count of tries, stands for both.

A stress job (:func:`register_stress_task`: the release's own tests in threads)
is recovered the same way; one given up is marked failed and nothing is
recorded (the import verdict is not the stress job's to change). A worker that
is asked to stop cuts its running stress jobs short (their sandboxed processes
killed, nothing recorded): each ends in :class:`~tracker.errors.Cancelled`, a
failed try that procrastinate retries, on another worker or after the restart.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from procrastinate import App, JobContext, RetryStrategy
from procrastinate.jobs import Job
from sqlmodel import Session

from tracker.config import Settings
from tracker.jobs import run_probe_job, run_stress_job
from tracker.models import ProbeJob, ProbeResult, Status
from tracker.probe import Limits
from tracker.probe.cancel import Cancel
from tracker.probe.cancel import check as stop_check
from tracker.queue.app import STRESS_TASK_NAME, TASK_NAME
from tracker.store.engine import Store
from tracker.wheels import this_platform

__all__ = [
    "Recovery",
    "already_probed",
    "already_stressed",
    "give_up_record",
    "recover_stalled",
    "register_probe_task",
    "register_stress_task",
]

log = logging.getLogger("fttrack.worker")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _deferred_at(store: Store, job_id: int) -> dt.datetime | None:
    with store.engine.connect() as connection:
        value = connection.execute(
            sa.text(
                "SELECT min(at) FROM procrastinate_events WHERE job_id = :id AND type = 'deferred'"
            ),
            {"id": job_id},
        ).scalar()
    return value if isinstance(value, dt.datetime) else None


def already_probed(store: Store, job: ProbeJob, since: dt.datetime) -> bool:
    """True when the history holds a probe of ``job``'s release+target taken since ``since``."""
    newest = store.newest_probe_at(job)
    return newest is not None and newest >= since.replace(microsecond=0)


def register_probe_task(
    app: App,
    store: Store,
    settings: Settings,
    *,
    max_attempts: int,
    sandbox_level: str | None = None,
    limits: Limits | None = None,
) -> None:
    """Register ``fttrack.probe_release`` on ``app``, bound to ``store`` and ``settings``.

    A task that raises (no interpreter, no sandbox, the database away) is
    retried until ``max_attempts`` tries in all, then left failed.
    """

    def probe_release(context: JobContext, project: str, version: str, target: str) -> str:
        job = ProbeJob(project, version, target)
        started = time.monotonic()
        job_id = context.job.id
        since = _deferred_at(store, job_id) if job_id is not None else None
        if since is not None and already_probed(store, job, since):
            log.info("job %s %s %s %s: already probed since queued", job_id, *_fields(job))
            return "already-probed"
        result = run_probe_job(job, store, settings, sandbox_level=sandbox_level, limits=limits)
        log.info(
            "job %s %s %s %s: %s in %.1fs (try %d)",
            job_id, *_fields(job), result.status, time.monotonic() - started,
            context.job.attempts + 1,
        )  # fmt: skip
        return str(result.status)

    retry = RetryStrategy(max_attempts=max(0, max_attempts - 1), wait=2)
    app.task(name=TASK_NAME, pass_context=True, retry=retry)(probe_release)


def already_stressed(store: Store, job: ProbeJob, since: dt.datetime) -> bool:
    """True when the stress history holds a run of ``job``'s release+target since ``since``."""
    newest = store.newest_stress_at(job)
    return newest is not None and newest >= since.replace(microsecond=0)


def register_stress_task(
    app: App,
    store: Store,
    settings: Settings,
    *,
    max_attempts: int,
    slots: threading.Semaphore,
    sandbox_level: str | None = None,
    cancel: Cancel | None = None,
) -> None:
    """Register ``fttrack.stress_release`` on ``app``: run a release's own tests in
    threads in the sandbox and store the result in the stress history.

    ``slots`` bounds the stress runs of this worker (one by default, whatever its
    concurrency): a second stress job waits for the first. A job already stressed
    since it was queued is marked done without running again. ``cancel``, once
    set (the worker stopping), cuts the running stress jobs short: each raises
    :class:`~tracker.errors.Cancelled` and records nothing.
    """
    stop = cancel if cancel is not None else Cancel()

    def stress_release(context: JobContext, project: str, version: str, target: str) -> str:
        job = ProbeJob(project, version, target)
        job_id = context.job.id
        since = _deferred_at(store, job_id) if job_id is not None else None
        if since is not None and already_stressed(store, job, since):
            log.info("job %s stress %s %s %s: already stressed since queued", job_id, *_fields(job))
            return "already-stressed"
        with stop.scope(), slots:
            stop_check()  # the worker may have been stopped while this job waited
            started = time.monotonic()
            result = run_stress_job(job, store, settings, sandbox_level=sandbox_level)
        log.info(
            "job %s stress %s %s %s: %s, %d tests in %.1fs",
            job_id, *_fields(job), result.status, result.tests_run, time.monotonic() - started,
        )  # fmt: skip
        return str(result.status)

    retry = RetryStrategy(max_attempts=max(0, max_attempts - 1), wait=2)
    app.task(name=STRESS_TASK_NAME, pass_context=True, retry=retry)(stress_release)


def _fields(job: ProbeJob) -> tuple[str, str, str]:
    return job.project, job.version, job.target


def give_up_record(job: ProbeJob, tries: int) -> ProbeResult:
    """The history row of a job given up because its worker kept dying."""
    return ProbeResult(
        project=job.project,
        version=job.version,
        target=job.target,
        platform=this_platform(),
        status=Status.CRASHED,
        detail=(
            f"the probe worker died {tries} times while running this probe "
            f"(killed, out of memory or lost); given up after {tries} tries"
        ),
        probed_at=_now().isoformat(),
    )


@dataclass
class Recovery:
    """What one pass of :func:`recover_stalled` did (job ids)."""

    retried: list[int] = field(default_factory=list)
    given_up: list[int] = field(default_factory=list)
    #: Waiting duplicates of retried jobs (same release+target), cancelled in their favour.
    cancelled: list[int] = field(default_factory=list)


#: Still the stalled run of the dead worker: ``doing``, and not taken since by another worker
#: (a pruned worker leaves ``worker_id`` NULL).
_STILL_STALLED = "status = 'doing' AND (worker_id IS NULL OR worker_id = :worker)"


def _give_up(store: Store, job: Job, record: ProbeResult | None) -> bool:
    """Mark a stalled job failed and record it (a probe's: ``record``; a stress job's:
    nothing), in one transaction; False if no longer stalled."""

    def mark_failed(session: Session) -> bool:
        failed = session.execute(
            sa.text(
                "UPDATE procrastinate_jobs SET status = 'failed', attempts = attempts + 1 "
                f"WHERE id = :id AND {_STILL_STALLED} RETURNING id"
            ),
            {"id": job.id, "worker": job.worker_id},
        ).first()
        return failed is not None

    return store.record_probe_when(mark_failed, record)


def _requeue(store: Store, job: Job) -> list[int] | None:
    """Put a stalled job back in its queue, counting a try; None if no longer stalled.

    Waiting jobs with the same queueing lock (the same release+target, queued
    while this one was stalled) are cancelled in the same transaction: the
    requeued job stands for them. Returns their ids.
    """
    with store.engine.begin() as connection:  # the queue's own tables: no store session
        locked = connection.execute(
            sa.text(f"SELECT id FROM procrastinate_jobs WHERE id = :id AND {_STILL_STALLED} "
                    "FOR UPDATE"),
            {"id": job.id, "worker": job.worker_id},
        ).first()  # fmt: skip
        if locked is None:
            return None
        duplicates: list[int] = []
        if job.queueing_lock is not None:
            duplicates = [
                int(row[0])
                for row in connection.execute(
                    sa.text(
                        "UPDATE procrastinate_jobs SET status = 'cancelled' "
                        "WHERE queueing_lock = :lock AND status = 'todo' AND id <> :id "
                        "RETURNING id"
                    ),
                    {"lock": job.queueing_lock, "id": job.id},
                )
            ]
        # procrastinate's own retry (the one its job manager calls): doing -> todo, attempts + 1
        connection.execute(
            sa.text("SELECT procrastinate_retry_job_v2(:id, now(), NULL, NULL, NULL)"),
            {"id": job.id},
        )
    return duplicates


def _probe_job(job: Job) -> ProbeJob:
    kwargs: dict[str, Any] = dict(job.task_kwargs)
    return ProbeJob(str(kwargs["project"]), str(kwargs["version"]), str(kwargs["target"]))


async def recover_stalled(
    app: App,
    store: Store,
    queues: Iterable[str],
    *,
    stalled_after: float,
    max_attempts: int,
) -> Recovery:
    """Requeue the jobs of dead workers; give up (and record) those tried ``max_attempts`` times.

    A job is stalled when it is ``doing`` and its worker's heartbeat is older
    than ``stalled_after`` seconds (or its worker was pruned). Several workers
    may run this at once: only one of them wins each job's state change. A
    waiting duplicate of a requeued job is cancelled (see the module docstring).
    """
    import asyncio

    manager = app.job_manager
    recovery = Recovery()
    stalled: list[Job] = []
    for queue in queues:
        for task_name in (TASK_NAME, STRESS_TASK_NAME):
            stalled += await manager.get_stalled_jobs(
                queue=queue, task_name=task_name, seconds_since_heartbeat=stalled_after
            )
    for job in stalled:
        assert job.id is not None
        tries = job.attempts + 1
        if tries >= max_attempts:
            probe_job = _probe_job(job)
            record = give_up_record(probe_job, tries) if job.task_name == TASK_NAME else None
            if not await asyncio.to_thread(_give_up, store, job, record):
                log.info("job %s: already recovered by another worker", job.id)
                continue
            recovery.given_up.append(job.id)
            log.warning(
                "job %s %s %s %s: worker died %d times, given up%s",
                job.id, *_fields(probe_job), tries,
                " and recorded as crashed" if record is not None else "",
            )  # fmt: skip
            continue
        try:
            duplicates = await asyncio.to_thread(_requeue, store, job)
        except sa.exc.IntegrityError:  # a duplicate was queued during the requeue
            log.warning("job %s: a duplicate was queued meanwhile; next pass", job.id)
            continue
        if duplicates is None:
            log.info("job %s: already recovered by another worker", job.id)
            continue
        recovery.retried.append(job.id)
        recovery.cancelled.extend(duplicates)
        log.warning(
            "job %s %s: its worker stopped sending heartbeats; requeued (try %d of %d)%s",
            job.id, job.call_string, tries + 1, max_attempts,
            f"; cancelled its waiting duplicate(s) {duplicates}" if duplicates else "",
        )  # fmt: skip
    return recovery
