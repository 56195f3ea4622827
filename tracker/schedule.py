"""APScheduler wiring, and nothing else: when the watch list is crawled.

One scheduler is the single source of timing. Its periodic crawl job lives in
the database (``apscheduler_jobs``) under a fixed id and is added with
``replace_existing``, so a restarted server resumes the same schedule instead
of adding a second one. One-off crawls asked for through the API run as
volatile jobs that are not persisted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from tracker.service import TrackerService

__all__ = ["CRAWL_JOB_ID", "crawl_tick", "request_crawl", "start_scheduler"]

CRAWL_JOB_ID = "fttrack-crawl-watchlist"
_active: TrackerService | None = None


def crawl_tick(names: list[str] | None = None) -> None:
    """The scheduled job: crawl (the watch list, or ``names``) and queue probes."""
    if _active is not None:
        _active.crawl(names)


def start_scheduler(
    tracker: TrackerService, *, interval_minutes: float, run_now: bool = True
) -> BackgroundScheduler:
    """Start the scheduler whose persistent job crawls the watch list every interval."""
    global _active
    _active = tracker
    scheduler = BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=tracker.store.engine),
            "volatile": MemoryJobStore(),
        },
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=dt.UTC,
    )
    scheduler.add_job(
        "tracker.schedule:crawl_tick",
        trigger="interval",
        minutes=interval_minutes,
        id=CRAWL_JOB_ID,
        name="crawl the watch list",
        replace_existing=True,
        next_run_time=dt.datetime.now(dt.UTC) if run_now else None,
    )
    scheduler.start()
    return scheduler


def request_crawl(scheduler: BackgroundScheduler, names: Iterable[str] | None) -> str:
    """Run a crawl now, off the request thread; returns the job id."""
    job_id = f"crawl-now-{uuid.uuid4().hex[:8]}"
    scheduler.add_job(
        crawl_tick,
        args=[list(names) if names is not None else None],
        id=job_id,
        jobstore="volatile",
        next_run_time=dt.datetime.now(dt.UTC),
    )
    return job_id
