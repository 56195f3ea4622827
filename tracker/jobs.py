"""Run one probe job and store its result: shared by the in-process pool,
the snapshot builder and the PostgreSQL workers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from tracker.config import Settings
from tracker.crawl import ProbeJob
from tracker.errors import ProbeError
from tracker.models import ProbeResult, Status, get_target
from tracker.probe import Limits, ProbeRequest, probe
from tracker.probe.runner import host_platform
from tracker.store.engine import Store

__all__ = ["run_probe_job"]


def run_probe_job(
    job: ProbeJob,
    store: Store,
    settings: Settings,
    *,
    sandbox_level: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> ProbeResult:
    """Probe ``job`` from the configured index and add the result to the store's history.

    A probe that could not run for a reason of the package (e.g. the installed
    distribution is not the one asked for) is stored as ``install-failed``
    with the reason; a missing interpreter or sandbox raises, storing nothing.
    """
    request = ProbeRequest(
        requirement=f"{job.project}=={job.version}", index_url=settings.require_index_url()
    )
    target = get_target(job.target)
    try:
        result = probe(
            request, target, settings, sandbox_level=sandbox_level, limits=limits,
            progress=progress,
        )  # fmt: skip
    except ProbeError as exc:
        result = ProbeResult(
            project=job.project,
            version=job.version,
            target=job.target,
            platform=host_platform(),
            status=Status.INSTALL_FAILED,
            detail=str(exc),
            probed_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        )
    if result.version != job.version:  # the index resolved another version: keep the asked one
        result = dataclasses.replace(result, version=job.version)
    store.record_probe(result)
    return result
