"""A package that floods stderr cannot stall the host or bloat the verdict.

stderr is the package's to write (up to the sandbox's file-size cap): the host
reads it linearly, looks at a bounded number of lines, and counts a GIL line
only for a module that exists among the installed files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from testkit.wheelbuild import build_pure_wheel
from tests.probe.conftest import ProbeWheel
from tracker.models import Status
from tracker.probe import Limits
from tracker.pythons.discover import Interpreter

MILLION = 1_000_000

# Run in a fresh interpreter under a 2 GiB address-space limit: write a stderr log
# of a million forged GIL lines (every name different, markers in between), then
# parse it as the host does after a sandboxed import process.
_HOST_SIDE = """
import json, resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from tracker.probe.archives import bounded_lines
from tracker.probe.verdict import GilClaim, GilReport, cross_check, gil_lines
path = Path(sys.argv[1])
with path.open("w") as out:
    for i in range({count}):
        if i % 1000 == 0:
            out.write(f"#fttrack-start pkg.m{{i}}\\n")
        out.write(f"# loading module 'pkg.fake{{i}}', which requires the GIL\\n")
started = time.process_time()
claims = [GilClaim(1, t, m) for t, m in gil_lines(bounded_lines(path))]
reports = [GilReport(1, f"pkg.m{{i}}", True, False) for i in range(0, {count}, 1000)]
checked = cross_check(reports, claims)
print(json.dumps({{"seconds": time.process_time() - started, "claims": len(claims),
                  "confirmed": len(checked.confirmed), "notes": len(checked.notes)}}))
"""


def test_a_million_line_stderr_flood_is_parsed_within_seconds(tmp_path: Path) -> None:
    script = _HOST_SIDE.format(count=MILLION)
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "stderr.log")],
        capture_output=True, text=True, timeout=120, check=False,
        cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout)
    assert measured["seconds"] < 5, measured
    assert 0 < measured["claims"] <= 1000
    assert measured["confirmed"] <= 1000


FLOOD = """import sys
write = sys.stderr.write
for i in range({count}):
    write(f"# loading module 'ftflood.fake{{i}}', which requires the GIL\\n")
raise ImportError("flooded")
"""


def test_a_flooding_package_gets_a_small_honest_verdict_quickly(
    interpreters: dict[str, Interpreter], tmp_path: Path, probe_wheel: ProbeWheel
) -> None:
    wheel = build_pure_wheel(
        tmp_path / "wheels", "ftflood", {"ftflood/__init__.py": FLOOD.format(count=MILLION)}
    )
    started = time.monotonic()
    result = probe_wheel(
        wheel, interpreters["3.14t"], limits=Limits(wall_seconds=60, idle_seconds=30)
    )
    elapsed = time.monotonic() - started
    assert result.status is Status.IMPORT_FAILED
    assert result.culprits == ()
    assert len(result.detail) <= 800
    assert elapsed < 30, f"the probe took {elapsed:.1f}s"
