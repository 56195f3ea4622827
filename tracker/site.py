"""The static site written by ``fttrack export``: summary feed, project documents, badges,
index.html.

Project documents are written gzip-compressed (``projects/NAME.json.gz``):
their whole release history is most of the site (38 MiB of JSON for the
2,000 projects of the shipped snapshot, 2.6 MiB compressed). Files are only
rewritten when their content changed, so a re-export into a served
directory touches little.

The page has no framework: a readiness chart (:mod:`tracker.chart`), a table
of projects × targets coloured by status, and a few lines of plain JS for
the search box.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path

from tracker.badge_render import badge_fields, badge_svg, shields_endpoint
from tracker.chart import STATUS_HEX, summaries_chart_svg
from tracker.documents import (
    TARGET_NAMES,
    ProjectDocument,
    ProjectSummary,
    SummaryFeed,
    encode,
)

__all__ = ["ExportResult", "render_index_html", "write_site"]

_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DARK = {"ready", "crashed", "timed-out", "install-failed", "import-failed"}


@dataclass(frozen=True)
class ExportResult:
    """What :func:`write_site` wrote."""

    directory: Path
    projects: int
    badges: int
    bytes_written: int


class _Writer:
    """Writes files atomically under one directory (unless they already hold the same
    bytes) and counts the bytes of the site."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.written = 0
        self._made: set[str] = set()

    def write(self, relative: str, data: bytes) -> None:
        self.written += len(data)
        folder, _, name = relative.rpartition("/")
        parent = os.path.join(self.directory, folder) if folder else str(self.directory)
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)
        path = os.path.join(parent, name)
        try:
            if os.path.getsize(path) == len(data):
                with open(path, "rb") as existing:
                    if existing.read() == data:
                        return
        except OSError:  # not there yet (or not readable): write it
            pass
        temporary = os.path.join(parent, f".{name}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)

    def remove(self, relative: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(self.directory, relative))


def write_site(
    feed: SummaryFeed,
    documents: Iterable[ProjectDocument | tuple[str, bytes]],
    directory: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> ExportResult:
    """Write the summary feed (JSON and gzip), one gzip JSON per project (its whole
    history: ``projects/NAME.json.gz``), two badges per project and target, and
    ``index.html``.

    ``documents``: project documents, or (name, document JSON) pairs as the
    store keeps them (written as they are, never decoded). They are read one
    at a time, so memory stays flat however many projects there are;
    ``progress(name)`` is called after each project.
    """
    out = _Writer(directory)
    body = encode(feed)
    out.write("feed.json", body)
    out.write("feed.json.gz", gzip.compress(body, mtime=0))
    projects = badges = 0
    summaries = {s.name: s for s in feed.projects}
    drawn: dict[tuple[str, str, str], tuple[bytes, bytes]] = {}  # few distinct badges
    # zlib lets go of the GIL: documents are compressed in a thread while files are written
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fttrack-gzip") as pool:
        for name, compressed, own in _compressed(documents, pool):
            if compressed is not None:
                out.write(f"projects/{name}.json.gz", compressed.result())
                out.remove(f"projects/{name}.json")  # left by an older fttrack
                projects += 1
                summary = summaries.get(name) or own
                for target in feed.targets:
                    key = (target, *badge_fields(summary, target)[1:])
                    if key not in drawn:
                        drawn[key] = (
                            json.dumps(shields_endpoint(summary, target)).encode(),
                            badge_svg(summary, target).encode(),
                        )
                    endpoint, image = drawn[key]
                    out.write(f"badges/{name}-{target}.json", endpoint)
                    out.write(f"badges/{name}-{target}.svg", image)
                    badges += 2
            if progress is not None:
                progress(name)
    out.write("index.html", render_index_html(feed).encode())
    return ExportResult(directory, projects, badges, out.written)


def _compressed(
    documents: Iterable[ProjectDocument | tuple[str, bytes]], pool: ThreadPoolExecutor
) -> Iterator[tuple[str, Future[bytes] | None, ProjectSummary | None]]:
    """(name, its gzip JSON being compressed or None for an unsafe name, its own summary),
    a few documents ahead of the caller."""
    ahead: deque[tuple[str, Future[bytes] | None, ProjectSummary | None]] = deque()
    for item in documents:
        if isinstance(item, ProjectDocument):
            name, data, own = item.name, encode(item), item.summary
        else:
            (name, data), own = item, None
        job = pool.submit(gzip.compress, data, 6, mtime=0) if _SAFE_NAME.match(name) else None
        ahead.append((name, job, own))
        if len(ahead) > 4:
            yield ahead.popleft()
    yield from ahead


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222;
max-width:1100px}
h1{margin:0 0 .2rem}p.sub{color:#666;margin:0 0 1.5rem}
input{font-size:1rem;padding:.4rem .6rem;width:22rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .6rem;border-bottom:1px solid #e0e0e0;
text-align:left;font-size:.9rem}th{background:#fafafa;position:sticky;top:0}
td.s{text-align:center;white-space:nowrap;border-left:2px solid #fff}
td.s small{opacity:.75}a{color:#1565c0;text-decoration:none}
"""

_SCRIPT = """
const box=document.getElementById('q');
const rows=[...document.querySelectorAll('#projects tbody tr')];
const count=document.getElementById('count');
function filter(){const q=box.value.trim().toLowerCase();let n=0;
for(const r of rows){const hit=!q||r.dataset.search.includes(q);r.hidden=!hit;if(hit)n++;}
count.textContent=n+' of '+rows.length+' projects';}
box.addEventListener('input',filter);filter();
"""


def _cell(status: str, evidence: str) -> str:
    colour = STATUS_HEX.get(status, "#eee")
    ink = "#fff" if status in _DARK else "#000"
    mark = {"tags": " <small>(tags)</small>", "inferred": " <small>(likely)</small>"}.get(
        evidence, ""
    )
    return (
        f'<td class="s" style="background:{colour};color:{ink}" title="{escape(evidence)}">'
        f"{escape(status)}{mark}</td>"
    )


def _first_ready(summary: ProjectSummary, targets: list[str]) -> str:
    found = [(t, summary.cell(t).first_ready) for t in targets]
    return ", ".join(f"{t}: {v}" for t, v in found if v) or "—"


def render_index_html(feed: SummaryFeed) -> str:
    """The export's ``index.html`` for a summary feed."""
    targets = list(feed.targets or TARGET_NAMES)
    rows = []
    for summary in feed.projects:
        name = summary.name
        link = f"projects/{name}.json.gz" if _SAFE_NAME.match(name) else "#"
        search = f"{name} {summary.shown_name}".lower()
        cells = "".join(
            _cell(summary.cell(t).status.value, summary.cell(t).evidence.value) for t in targets
        )
        rows.append(
            f'<tr data-search="{escape(search)}"><td><a href="{escape(link)}">'
            f"{escape(summary.shown_name)}</a></td>"
            f"<td>{escape(summary.version or '—')}</td>{cells}"
            f"<td>{escape(_first_ready(summary, targets))}</td></tr>"
        )
    head = "".join(f"<th>{escape(t)}</th>" for t in targets)
    generated = escape(str(feed.generated or "")[:19])
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>fttrack: free-threading readiness</title><style>{_STYLE}</style></head><body>"
        "<h1>fttrack: can we drop the GIL yet?</h1>"
        f'<p class="sub">Free-threading verdicts per target, generated {generated}Z. '
        'Data: <a href="feed.json">feed.json</a> (<a href="feed.json.gz">gzip</a>).</p>'
        f"{summaries_chart_svg(feed.projects)}"
        '<input id="q" type="search" placeholder="Search projects…" autofocus>'
        ' <span id="count"></span>'
        '<table id="projects"><thead><tr><th>Project</th><th>Version</th>'
        f"{head}<th>First ready</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
