"""Run one probe job (or one stress job) and store its result: shared by the
in-process pool, the snapshot builder and the PostgreSQL workers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable

import msgspec.structs

from tracker.config import Settings
from tracker.errors import ProbeError, TransientProbeError
from tracker.models import ProbeJob, ProbeResult, Status, get_target
from tracker.probe import Limits, probe, probe_sdist_release
from tracker.probe.runner import ProbeRequest
from tracker.store.engine import Store
from tracker.stress.result import StressResult
from tracker.wheels import this_platform

__all__ = ["RETRIES", "is_sdist_only", "probe_job", "run_probe_job", "run_stress_job"]

log = logging.getLogger(__name__)

#: Retries of a probe that failed for a passing reason, after the first try.
RETRIES = 3
#: Seconds before the first retry; doubled for each further one.
BACKOFF_SECONDS = 10.0


def run_probe_job(
    job: ProbeJob,
    store: Store,
    settings: Settings,
    *,
    sandbox_level: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[str], None] = lambda message: None,
    retries: int = RETRIES,
    backoff_seconds: float = BACKOFF_SECONDS,
) -> ProbeResult:
    """Probe ``job`` (see :func:`probe_job`) and add the result to the store's history.

    A release the store knows as ``sdist-only`` on the job's target is built from
    its sdist in the sandbox first (``from_sdist``).
    """
    result = probe_job(
        job, settings, sandbox_level=sandbox_level, limits=limits, progress=progress,
        retries=retries, backoff_seconds=backoff_seconds, from_sdist=is_sdist_only(job, store),
    )  # fmt: skip
    store.record_probe(result)
    return result


def run_stress_job(
    job: ProbeJob,
    store: Store,
    settings: Settings,
    *,
    sandbox_level: str | None = None,
    budget_seconds: float | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> StressResult:
    """Run ``job``'s release's own tests in threads (``fttrack stress``, docs/stress.md) in
    the sandbox, from the configured index, and add the result to the stress history.
    ``budget_seconds`` is the run's time limit (default: the stress command's).

    The import verdict is left as it is. A missing interpreter or sandbox raises,
    storing nothing; so does an index that cannot be reached.
    """
    from tracker.probe.stress import StressRequest
    from tracker.probe.stress import stress as run_stress

    release = ProbeRequest(
        requirement=f"{job.project}=={job.version}", index_url=settings.require_index_url()
    )
    request = StressRequest(release)
    if budget_seconds is not None:
        request = dataclasses.replace(request, budget_seconds=budget_seconds)
    result = run_stress(
        request, get_target(job.target), settings, sandbox_level=sandbox_level, progress=progress
    )
    if result.version != job.version:  # stored under the release the job asked for
        result = msgspec.structs.replace(result, version=job.version)
    store.record_stress(result)
    return result


def probe_job(
    job: ProbeJob,
    settings: Settings,
    *,
    sandbox_level: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[str], None] = lambda message: None,
    retries: int = RETRIES,
    backoff_seconds: float = BACKOFF_SECONDS,
    from_sdist: bool = False,
) -> ProbeResult:
    """Probe ``job`` from the configured index (nothing is stored).

    ``from_sdist``: the release ships no wheel; its sdist is built inside the sandbox
    and the wheel judged (:func:`tracker.probe.probe_sdist_release`).

    A probe that could not run for a reason of the package (e.g. the installed
    distribution is not the one asked for) is stored as ``install-failed``
    with the reason. A transient failure (:class:`TransientProbeError`: the
    index answering 429/5xx or timing out, uv away) is tried again up to
    ``retries`` times, waiting ``backoff_seconds`` and twice as long each
    time after; if it persists it raises, storing nothing. A missing
    interpreter or sandbox raises at once, storing nothing.
    """
    request = ProbeRequest(
        requirement=f"{job.project}=={job.version}", index_url=settings.require_index_url()
    )
    target = get_target(job.target)

    def attempt() -> ProbeResult:
        if from_sdist:
            return probe_sdist_release(
                job.project, job.version, target, settings, sandbox_level=sandbox_level,
                limits=limits, progress=progress,
            )  # fmt: skip
        return probe(
            request, target, settings, sandbox_level=sandbox_level, limits=limits,
            progress=progress,
        )  # fmt: skip

    try:
        result = _probe_with_retries(
            attempt,
            job, retries=retries, backoff_seconds=backoff_seconds, progress=progress,
        )  # fmt: skip
    except TransientProbeError:
        raise
    except ProbeError as exc:
        result = ProbeResult(
            project=job.project,
            version=job.version,
            target=job.target,
            platform=this_platform(),
            status=Status.INSTALL_FAILED,
            detail=str(exc),
            probed_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        )
    if result.version != job.version:  # the index resolved another version: keep the asked one
        result = msgspec.structs.replace(result, version=job.version)
    return result


def is_sdist_only(job: ProbeJob, store: Store) -> bool:
    """Whether the store knows ``job``'s release as one without wheels (``sdist-only``)
    on the job's target."""
    document = store.project_document(job.project)
    if document is None:
        return False
    release = next((r for r in document.releases if r.version == job.version), None)
    verdict = release.targets.get(job.target) if release is not None else None
    return verdict is not None and verdict.status is Status.SDIST_ONLY


def _probe_with_retries(
    attempt: Callable[[], ProbeResult],
    job: ProbeJob,
    *,
    retries: int,
    backoff_seconds: float,
    progress: Callable[[str], None],
) -> ProbeResult:
    """``attempt()``, tried again after a :class:`TransientProbeError`, with backoff."""
    delay = backoff_seconds
    for tries in range(retries + 1):
        try:
            return attempt()
        except TransientProbeError as exc:
            if tries >= retries:
                raise
            log.warning(
                "probe %s %s %s: %s; retry %d/%d in %.0fs",
                job.project, job.version, job.target, exc, tries + 1, retries, delay,
            )  # fmt: skip
            progress(f"transient failure ({exc}); retrying in {delay:.0f}s")
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover
