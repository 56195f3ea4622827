"""A real release from the configured index, end to end: markupsafe 3.0.3 ships
cp314t wheels and its tests only in its sdist (79 pass and 1 skips in 8 threads)."""

from __future__ import annotations

from tracker.config import load_settings
from tracker.models import get_target
from tracker.probe.runner import ProbeRequest
from tracker.probe.stress import StressRequest, stress
from tracker.stress.result import StressStatus


def test_markupsafe_passes_with_its_whole_sdist_suite() -> None:
    settings = load_settings()
    release = ProbeRequest(requirement="markupsafe==3.0.3", index_url=settings.require_index_url())
    result = stress(StressRequest(release, threads=8), get_target("3.14t"), settings)
    assert result.status is StressStatus.PASSED, result
    assert result.source == "sdist" and result.version == "3.0.3"
    assert result.tests_run == result.tests_collected >= 75
    assert result.fraction == 1.0 and result.failing == {} and result.failed_alone == 0
    assert result.run_parallel_version == "0.10.0"
    assert result.not_installed == () and result.not_collected == ()
