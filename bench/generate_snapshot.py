"""Generate a large snapshot from the real one, for benchmarks at scale.

Every generated project is a copy of a real project of the shipped snapshot
(taken in turn), renamed ``<name>-gN``: so the generated projects have
exactly as many releases, files' platforms, probes and culprits as real
ones, and the whole has the real mix of statuses. Summaries are recomputed
for the new names by :func:`tracker.documents.summarize`.

    python bench/generate_snapshot.py --projects 15000 --output /tmp/fttrack-bench/snapshot-15000.json.gz
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.archive import Archive, write_archive
from tracker.datafiles import snapshot_path
from tracker.documents import ProjectDocument, summarized


def generated(source: Archive, count: int) -> Iterator[ProjectDocument]:
    """``count`` documents: the real ones, then renamed copies of them in turn."""
    names = source.names()
    for index in range(count):
        real = source.document(names[index % len(names)])
        assert real is not None
        copy = index // len(names)
        renamed = {}
        if copy:  # a new struct: the archive keeps the document it read (no -g1-g2-… names)
            renamed = {
                "name": f"{real.name}-g{copy}",
                "display_name": f"{real.display_name}-g{copy}" if real.display_name else "",
            }
        yield summarized(msgspec.structs.replace(real, summary=None, **renamed))


def main() -> None:
    """Write the generated snapshot and say how big it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=15000)
    parser.add_argument("--source", type=Path, default=snapshot_path())
    parser.add_argument(
        "--output", type=Path, default=Path("/tmp/fttrack-bench/snapshot-15000.json.gz")
    )
    args = parser.parse_args()
    source = Archive(args.source)
    started = time.monotonic()
    summaries = write_archive(
        args.output, generated(source, args.projects), generated=source.generated
    )
    size = args.output.stat().st_size / 2**20
    print(
        f"{args.output}: {len(summaries)} projects, {sum(s.release_count for s in summaries)} "
        f"releases, {size:.1f} MiB, in {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
