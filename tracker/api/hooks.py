"""The probe hook of ``fttrack serve``: queue probe jobs and say what really happened.

The write route ``POST /api/v1/probe`` answers from the hook's report (a
mapping): ``unavailable`` (a reason: nothing on this server can probe these
targets, 503), ``queued`` (jobs added), ``jobs`` (jobs asked for: 0 means
nothing is left to probe), ``skipped`` (targets without an interpreter here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.api.state import ProbeHook

if TYPE_CHECKING:
    from tracker.service import TrackerService
    from tracker.store.engine import Store

__all__ = ["probe_hook"]


def probe_hook(tracker: TrackerService, store: Store, *, workers: bool) -> ProbeHook:
    """A hook that queues probes on ``tracker`` and reports what it did.

    ``workers``: whether anything runs the jobs (an in-process pool with at
    least one worker, or the PostgreSQL queue).
    """

    def on_probe(name: str, version: str | None, wanted: list[str]) -> dict[str, Any]:
        from tracker.ondemand import probe_jobs

        if not workers:
            return {"queued": 0, "unavailable": "this server runs no probe workers"}
        able = [t for t in wanted if t in tracker.targets]
        if not able:
            here = ", ".join(tracker.targets) or "none"
            return {
                "queued": 0,
                "unavailable": f"no free-threaded interpreter for {', '.join(wanted)} "
                f"on this server (targets it can probe: {here})",
            }
        jobs = probe_jobs(store, name, version, able)
        return {
            "queued": tracker.queue_probes(jobs),
            "jobs": len(jobs),
            "skipped": [t for t in wanted if t not in able],
        }

    return on_probe
