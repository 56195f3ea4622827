"""The static site written by ``fttrack export``: summary feed, project documents, badges,
index.html.

Project documents are written gzip-compressed (``projects/NAME.json.gz``):
their whole release history is most of the site (9.2 MiB at gzip's level 9
for the 5,000 projects of the shipped snapshot). Each project has
its shields.io endpoint per target (``badges/NAME-TARGET.json``, about 110
bytes); the SVG badges do not depend on the project, only on its verdict, so
each distinct one is written once (``badges/TARGET/MESSAGE.svg``, every
status of every target: a fixed set of 66 files) instead of one copy per
project and target (45,000 files, 42 MiB at 15,000 projects). Per-project
SVG copies are still written on request (``svg_per_project``). Files are only
rewritten when their content changed, so a re-export into a served directory
touches little.

Each project also has a page (``projects/NAME.html``): its current release's
verdict per target, said in words, with a link to its whole history; the
table's project links open it (a ``.json.gz`` link was a download).

The page has no framework: a readiness chart (:mod:`tracker.chart`), a table
of projects × targets coloured by status (one CSS class per status and
evidence, not a style per cell), and a few lines of plain JS for the search
box.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path

from tracker.badge_render import (
    badge_fields,
    badge_slug,
    badge_svg,
    every_badge,
    render_svg,
    shields_endpoint,
)
from tracker.chart import best_first, summaries_chart_svg
from tracker.documents import (
    TARGET_NAMES,
    Change,
    ProjectDocument,
    ProjectSummary,
    SummaryFeed,
    TargetSummary,
    encode,
)
from tracker.vocabulary import colour

__all__ = [
    "ExportResult",
    "index_rows",
    "newest_probe",
    "render_index_html",
    "render_project_html",
    "shared_badge_path",
    "write_site",
]

_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: Threads compressing project documents (gzip level 9 is most of an export's CPU).
_GZIP_THREADS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class ExportResult:
    """What :func:`write_site` wrote."""

    directory: Path
    projects: int
    badges: int
    bytes_written: int


class _Writer:
    """Writes files atomically under one directory (unless they already hold the same
    bytes) and counts the bytes of the site.

    Each folder is listed once, on its first file: a file that was not there
    costs no look-up and a copy that is not there no failed removal (an
    export into a new directory makes 60,000 files at 15,000 projects).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.written = 0
        self._listed: dict[str, set[str]] = {}

    def _names(self, folder: str) -> tuple[str, set[str]]:
        """The folder's path and the names of the files in it (made when missing)."""
        parent = os.path.join(self.directory, folder) if folder else str(self.directory)
        names = self._listed.get(folder)
        if names is None:
            os.makedirs(parent, exist_ok=True)
            with os.scandir(parent) as entries:
                names = {entry.name for entry in entries}
            self._listed[folder] = names
        return parent, names

    def write(self, relative: str, data: bytes) -> None:
        self.written += len(data)
        folder, _, name = relative.rpartition("/")
        parent, names = self._names(folder)
        path = os.path.join(parent, name)
        if name in names:
            try:
                if os.path.getsize(path) == len(data):
                    with open(path, "rb") as existing:
                        if existing.read() == data:
                            return
            except OSError:  # gone meanwhile (or not readable): write it
                pass
        temporary = os.path.join(parent, f".{name}.tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(temporary, path)
        names.add(name)

    def remove(self, relative: str) -> None:
        folder, _, name = relative.rpartition("/")
        parent, names = self._names(folder)
        if name in names:
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(parent, name))
            names.discard(name)


def shared_badge_path(message: str, target: str) -> str:
    """Where the site keeps the SVG badge of a verdict: ``badges/3.14t/likely-ready.svg``."""
    return f"badges/{target}/{badge_slug(message)}.svg"


def write_site(
    feed: SummaryFeed,
    documents: Iterable[ProjectDocument | tuple[str, bytes]],
    directory: Path,
    *,
    svg_per_project: bool = False,
    progress: Callable[[str], None] | None = None,
    exported: str | None = None,
    changes: Sequence[Change] | None = None,
) -> ExportResult:
    """Write the summary feed (JSON and gzip), one gzip JSON per project (its whole
    history: ``projects/NAME.json.gz``), the shields.io endpoint badge per project
    and target (``badges/NAME-TARGET.json``), each distinct SVG badge once
    (``badges/TARGET/MESSAGE.svg``), and ``index.html``. With ``svg_per_project``,
    also a copy of its SVG badge per project and target (``badges/NAME-TARGET.svg``);
    without, such copies left by an earlier export are removed. Each project gets a
    readable page too (``projects/NAME.html``, :func:`render_project_html`).
    ``exported``: when the export ran (ISO time; default now), said beside the
    data's own date on the pages. ``changes`` (newest first): written as
    ``changes.json`` (all of them) and ``changes.atom`` (those of the 30 days before
    the newest one), linked from the index, their entries to the projects' pages.

    ``documents``: project documents, or (name, document JSON) pairs as the
    store keeps them (written as they are, never decoded). They are read one
    at a time, so memory stays flat however many projects there are;
    ``progress(name)`` is called after each project.
    """
    out = _Writer(directory)
    exported = exported or _now()
    body = encode(feed)
    out.write("feed.json", body)
    out.write("feed.json.gz", gzip.compress(body, mtime=0))
    projects = badges = 0
    for target in feed.targets:
        for label, message, color in every_badge(target):
            out.write(
                shared_badge_path(message, target), render_svg(label, message, color).encode()
            )
            badges += 1
    summaries = {s.name: s for s in feed.projects}
    drawn: dict[tuple[str, str, str], tuple[bytes, bytes]] = {}  # few distinct badges
    # zlib lets go of the GIL: documents are compressed in threads while files are written
    with ThreadPoolExecutor(max_workers=_GZIP_THREADS, thread_name_prefix="fttrack-gzip") as pool:
        for name, compressed, own in _compressed(documents, pool):
            if compressed is not None:
                out.write(f"projects/{name}.json.gz", compressed.result())
                out.remove(f"projects/{name}.json")  # left by an older fttrack
                projects += 1
                summary = summaries.get(name) or own
                if summary is not None:
                    page = render_project_html(summary, feed)
                    out.write(f"projects/{name}.html", page.encode())
                for target in feed.targets:
                    key = (target, *badge_fields(summary, target)[1:])
                    if key not in drawn:
                        drawn[key] = (
                            json.dumps(shields_endpoint(summary, target)).encode(),
                            badge_svg(summary, target).encode(),
                        )
                    endpoint, image = drawn[key]
                    out.write(f"badges/{name}-{target}.json", endpoint)
                    badges += 1
                    if svg_per_project:
                        out.write(f"badges/{name}-{target}.svg", image)
                        badges += 1
                    else:
                        out.remove(f"badges/{name}-{target}.svg")  # a copy of a shared one
            if progress is not None:
                progress(name)
    out.write(_CSS, f"{_STYLE}{_status_style()}".encode())  # the project pages' style
    if changes is not None:
        _write_changes(out, changes, feed.generated or exported)
    out.write(
        "index.html",
        render_index_html(feed, exported=exported, changes=changes is not None).encode(),
    )
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
        job = pool.submit(gzip.compress, data, 9, mtime=0) if _SAFE_NAME.match(name) else None
        ahead.append((name, job, own))
        if len(ahead) > 4 * _GZIP_THREADS:
            yield ahead.popleft()
    yield from ahead


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222;
max-width:1100px}
h1{margin:0 0 .2rem}p.sub{color:#666;margin:0 0 1.5rem}
input{font-size:1rem;padding:.4rem .6rem;width:22rem;max-width:60vw;margin:1rem 0}
#count{white-space:nowrap;margin-left:.6rem}
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .6rem;border-bottom:1px solid #e0e0e0;
text-align:left;font-size:.9rem}th{background:#fafafa;position:sticky;top:0}
td[class]{text-align:center;white-space:nowrap;border-left:2px solid #fff}
td.tags:after,td.inferred:after{font-size:smaller;opacity:.75}
td.tags:after{content:" (tags)"}td.inferred:after{content:" (likely)"}
a{color:#1565c0;text-decoration:none}
"""


#: The project pages' one stylesheet (the index carries its own: one file to open).
_CSS = "style.css"


def _status_style() -> str:
    """One rule per status: its colour, and its ink when it is not black."""
    return "".join(
        f"td.{status}{{background:{colour(status).hex}"
        + ("}" if colour(status).ink == "#000" else f";color:{colour(status).ink}}}")
        for status in best_first()
    )


#: Draws the table from the page's data (``#data``), then filters it as the box is typed in.
_SCRIPT = """
const D=JSON.parse(document.getElementById('data').textContent);
const E={i:' inferred',t:' tags'},safe=/^[a-z0-9][a-z0-9._-]*$/;
const esc=s=>s.replace(/[&<>"]/g,c=>'&#'+c.charCodeAt(0)+';');
let h='';
for(const [n,d,v,c,f] of D.rows){const s=d||n;
h+='<tr data-search="'+esc((n+' '+s).toLowerCase())+'"><td><a href="'
+(safe.test(n)?'projects/'+n+'.html':'#')+'">'+esc(s)+'</a><td>'+esc(v||'—');
for(let i=0;i<c.length;i+=2){const st=D.statuses[parseInt(c[i],16)];
h+='<td class="'+st+(E[c[i+1]]||'')+'">'+st;}
h+='<td>'+esc(f||'—');}
document.querySelector('#projects tbody').innerHTML=h;
const box=document.getElementById('q');
const rows=[...document.querySelectorAll('#projects tbody tr')];
const count=document.getElementById('count');
function filter(){const q=box.value.trim().toLowerCase();let n=0;
for(const r of rows){const hit=!q||r.dataset.search.includes(q);r.hidden=!hit;if(hit)n++;}
count.textContent=n+' of '+rows.length+' projects';}
box.addEventListener('input',filter);filter();
"""

#: An evidence's one-letter code in the page's data.
_EVIDENCE_CODE = {"probe": "p", "inferred": "i", "tags": "t", "none": "n"}


def _first_ready(summary: ProjectSummary, targets: list[str]) -> str:
    found = [(t, summary.cell(t).first_ready) for t in targets]
    return ", ".join(f"{t}: {v}" for t, v in found if v)


def index_rows(feed: SummaryFeed) -> list[list[str]]:
    """The table's rows as the page carries them: name, display name (when it is not
    the name), version, per target a status code (one hex digit: its index in
    :func:`tracker.chart.best_first`) and an evidence letter (``p``robe,
    ``i``nferred, ``t``ags, ``n``one), and the first ready release per target."""
    targets = list(feed.targets or TARGET_NAMES)
    # a status's one-digit code: its index in the page's ``statuses``, hexadecimal
    codes = {status.value: f"{index:x}" for index, status in enumerate(best_first())}
    unknown = codes["unknown"]
    rows = []
    for summary in feed.projects:
        cells = "".join(
            codes.get(cell.status.value, unknown) + _EVIDENCE_CODE.get(cell.evidence.value, "n")
            for cell in (summary.cell(t) for t in targets)
        )
        shown = summary.shown_name if summary.shown_name != summary.name else ""
        rows.append(
            [summary.name, shown, summary.version or "", cells, _first_ready(summary, targets)]
        )
    return rows


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def newest_probe(feed: SummaryFeed) -> str | None:
    """The date (``YYYY-MM-DD``) of the newest probe the feed's summaries carry: the
    data's own date, whenever it was exported."""
    dates = [s.last_probe for s in feed.projects if s.last_probe]
    return max(dates)[:10] if dates else None


def _dates(feed: SummaryFeed, exported: str | None) -> str:
    """``exported 2026-12-06 22:50Z; data of 2026-12-01 10:00Z, newest probe 2026-11-30``."""
    stamp = (exported or _now())[:16].replace("T", " ").removesuffix("Z")
    data = str(feed.generated or "")[:16].replace("T", " ").removesuffix("Z")
    text = f"exported {stamp}Z"
    if data:
        text += f"; data of {data}Z"
    probe = newest_probe(feed)
    if probe:
        text += f", newest probe {probe}"
    return escape(text)


def _cell_words(cell: TargetSummary) -> str:
    """One target's verdict in words, as HTML."""
    parts = [f"<b>{escape(cell.status.value)}</b>: {escape(cell.status.description)}"]
    if cell.evidence.value == "inferred" and cell.inferred_from:
        parts.append(f"likely: {escape(cell.inferred_from)} was probed")
    elif cell.evidence.value != "none":
        parts.append(f"evidence: {escape(cell.evidence.value)}")
    if cell.checked:
        parts.append(f"checked {escape(cell.checked)}")
    if cell.culprits:
        named = ", ".join(escape(c.module) for c in cell.culprits)
        more = f" and {cell.more_culprits} more" if cell.more_culprits else ""
        parts.append(f"re-enabled by {named}{more}")
    if cell.first_ready:
        parts.append(f"ready from {escape(cell.first_ready)}")
    if cell.stress is not None:
        parts.append(f"own tests in threads: {escape(cell.stress.status.value)}")
    return "; ".join(parts)


def render_project_html(summary: ProjectSummary, feed: SummaryFeed) -> str:
    """A project's page (``projects/NAME.html``): its current release's verdict per
    target in words, and links to its history (gzip JSON), its badges and the index.

    It carries its own data's date (its newest probe), not the export's: a page whose
    project did not change is not written again."""
    targets = list(feed.targets or TARGET_NAMES)
    name = escape(summary.shown_name)
    rows = "".join(
        f'<tr><th>{escape(t)}</th><td class="{summary.cell(t).status.value}">'
        f"{escape(summary.cell(t).status.value)}</td><td>{_cell_words(summary.cell(t))}</td></tr>"
        for t in targets
    )
    version = escape(summary.version or "no release")
    probed = (
        f"newest probe {escape(summary.last_probe[:10])}" if summary.last_probe else "not probed"
    )
    link = escape(summary.name)
    badges = " ".join(
        f'<a href="../badges/{link}-{escape(t)}.json">{escape(t)}</a>' for t in targets
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{name}: free-threading readiness</title><link rel="stylesheet" href="../{_CSS}">'
        "</head><body>"
        f'<p class="sub"><a href="../index.html">fttrack</a> · {probed}</p>'
        f"<h1>{name} {version}</h1>"
        '<p class="sub">Its current release on each free-threaded target.</p>'
        "<table><thead><tr><th>Target</th><th>Status</th><th>What it means</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f'<p>Every release with its verdicts: <a href="{link}.json.gz">{link}.json.gz</a> '
        f"(gzip JSON, {summary.release_count} releases). Badges: {badges}.</p>"
        "</body></html>\n"
    )


def render_index_html(
    feed: SummaryFeed, *, exported: str | None = None, changes: bool = False
) -> str:
    """The export's ``index.html`` for a summary feed.

    The table's rows travel in the page as compact JSON (:func:`index_rows`: some 50
    bytes a project, where HTML rows took 300) and a few lines of script draw them.
    The line under the title says when it was ``exported`` (default now) beside the
    data's own date (the feed's and its newest probe's).
    """
    targets = list(feed.targets or TARGET_NAMES)
    data = json.dumps(
        {"statuses": [s.value for s in best_first()], "rows": index_rows(feed)},
        separators=(",", ":"),
        ensure_ascii=False,
    ).replace("<", "\\u003c")  # nothing in it can end the script element
    head = "".join(f"<th>{escape(t)}</th>" for t in targets)
    changed = "."
    if changes:
        changed = (
            '; what changed: <a href="changes.json">changes.json</a>, '
            '<a href="changes.atom">changes.atom</a> (the last 30 days).'
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>fttrack: free-threading readiness</title><style>{_STYLE}{_status_style()}"
        "</style></head><body>"
        "<h1>fttrack: can we drop the GIL yet?</h1>"
        f'<p class="sub">Free-threading verdicts per target, {_dates(feed, exported)}. '
        'Data: <a href="feed.json">feed.json</a> (<a href="feed.json.gz">gzip</a>)'
        f"{changed}</p>"
        f"{summaries_chart_svg(feed.projects)}"
        '<input id="q" type="search" placeholder="Search projects…" autofocus>'
        ' <span id="count"></span>'
        '<table id="projects"><thead><tr><th>Project</th><th>Version</th>'
        f"{head}<th>First ready</th></tr></thead><tbody></tbody></table>"
        "<noscript>The table is drawn by a script; the same verdicts are in "
        '<a href="feed.json">feed.json</a>.</noscript>'
        f'<script id="data" type="application/json">{data}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def _write_changes(out: _Writer, changes: Sequence[Change], generated: str) -> None:
    """``changes.json`` and ``changes.atom`` (the 30 days before the newest change)."""
    from datetime import datetime, timedelta
    from urllib.parse import quote

    from tracker.changes_feed import atom_feed, changes_page

    out.write("changes.json", changes_page(changes, offset=0, limit=len(changes),
                                           generated=generated, next_url=None))  # fmt: skip
    newest = next((c.date for c in changes if c.date), None)
    recent: Sequence[Change] = []
    if newest is not None:
        start = datetime.fromisoformat(newest[:10]) - timedelta(days=30)
        recent = [c for c in changes if c.date and c.date >= start.date().isoformat()]
    feed = atom_feed(recent, base_url="", self_url="changes.atom", updated=generated,
                     page_url=lambda name: f"projects/{quote(name)}.html",
                     json_url="changes.json")  # fmt: skip
    out.write("changes.atom", feed)
