"""The sandboxed import probe: the source of every ``probe`` verdict.

:func:`probe` is the one call the CLI, the scheduler and the workers use;
:func:`probe_sdist_release` judges a release that ships only an sdist (built
inside the sandbox, :mod:`tracker.probe.sdist`).
``Limits`` comes with the package (every user of it starts a sandbox anyway);
``ProbeRequest`` is imported from :mod:`tracker.probe.runner`, which the package
leaves unloaded until a probe runs (``fttrack status`` reads the sandbox only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tracker.probe.sandbox import Limits

if TYPE_CHECKING:
    from tracker.config import Settings
    from tracker.models import ProbeResult, Target
    from tracker.probe.runner import ProbeRequest

__all__ = ["Limits", "probe", "probe_sdist_release"]


def probe(
    request: ProbeRequest,
    target: Target,
    settings: Settings,
    *,
    sandbox_level: str | None = None,
    allow_unsafe: bool = False,
    limits: Limits | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> ProbeResult:
    """Probe ``request`` on ``target`` with the strongest sandbox available."""
    from tracker.probe.runner import run_probe
    from tracker.probe.sandbox import choose_sandbox
    from tracker.pythons.discover import find_interpreter

    interpreter = find_interpreter(target, settings)
    sandbox = choose_sandbox(level=sandbox_level, allow_unsafe=allow_unsafe)
    settings.uv_cache_dir.mkdir(parents=True, exist_ok=True)
    return run_probe(
        request,
        interpreter=interpreter,
        sandbox=sandbox,
        uv_cache_dir=settings.uv_cache_dir,
        limits=limits
        or Limits(wall_seconds=settings.probe_timeout * 4, idle_seconds=settings.probe_timeout),
        progress=progress,
    )


def probe_sdist_release(
    project: str,
    version: str,
    target: Target,
    settings: Settings,
    *,
    sandbox_level: str | None = None,
    allow_unsafe: bool = False,
    limits: Limits | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> ProbeResult:
    """Build the sdist of ``project`` ``version`` (a release without wheels) for ``target``
    in the strongest sandbox available and judge the wheel (see :mod:`tracker.probe.sdist`)."""
    from tracker.probe.sandbox import choose_sandbox
    from tracker.probe.sdist import probe_sdist
    from tracker.pythons.discover import find_interpreter

    interpreter = find_interpreter(target, settings)
    sandbox = choose_sandbox(level=sandbox_level, allow_unsafe=allow_unsafe)
    settings.uv_cache_dir.mkdir(parents=True, exist_ok=True)
    return probe_sdist(
        project,
        version,
        interpreter=interpreter,
        sandbox=sandbox,
        uv_cache_dir=settings.uv_cache_dir,
        index_url=settings.require_index_url(),
        limits=limits
        or Limits(wall_seconds=settings.probe_timeout * 4, idle_seconds=settings.probe_timeout),
        progress=progress,
    )
