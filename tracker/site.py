"""The static site written by ``fttrack export``: feed, project documents, badges, index.html.

The page has no framework: a readiness chart (:mod:`tracker.chart`), a table
of projects × targets coloured by status, and a few lines of plain JS for
the search box.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from tracker.badges import badge_svg, shields_endpoint
from tracker.chart import STATUS_HEX, feed_chart_svg
from tracker.feed import TARGET_NAMES, project_summary

__all__ = ["ExportResult", "render_index_html", "write_site"]

_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DARK = {"ready", "crashed", "timed-out", "install-failed", "import-failed"}


@dataclass(frozen=True)
class ExportResult:
    """What :func:`write_site` wrote."""

    directory: Path
    projects: int
    badges: int


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=None, separators=(",", ":"), ensure_ascii=False).encode()


def write_site(feed: Mapping[str, Any], directory: Path) -> ExportResult:
    """Write the feed (JSON and gzip), one JSON per project, badges and ``index.html``."""
    directory.mkdir(parents=True, exist_ok=True)
    body = _json_bytes(feed)
    _write(directory / "feed.json", body)
    _write(directory / "feed.json.gz", gzip.compress(body, mtime=0))
    targets = [str(t) for t in feed.get("targets") or TARGET_NAMES]
    projects = 0
    badges = 0
    for document in feed.get("projects", []):
        name = str(document.get("name", ""))
        if not _SAFE_NAME.match(name):
            continue
        _write(directory / "projects" / f"{name}.json", _json_bytes(document))
        projects += 1
        for target in targets:
            stem = directory / "badges" / f"{name}-{target}"
            _write(
                stem.with_name(stem.name + ".json"), _json_bytes(shields_endpoint(document, target))
            )
            _write(stem.with_name(stem.name + ".svg"), badge_svg(document, target).encode())
            badges += 1
    _write(directory / "index.html", render_index_html(feed).encode())
    return ExportResult(directory, projects, badges)


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
    mark = "" if evidence != "tags" else " <small>(tags)</small>"
    return (
        f'<td class="s" style="background:{colour};color:{ink}" title="{escape(evidence)}">'
        f"{escape(status)}{mark}</td>"
    )


def render_index_html(feed: Mapping[str, Any]) -> str:
    """The export's ``index.html`` for a feed document."""
    targets = [str(t) for t in feed.get("targets") or TARGET_NAMES]
    rows = []
    for document in feed.get("projects", []):
        summary = project_summary(document)
        name = str(summary["name"])
        link = f"projects/{name}.json" if _SAFE_NAME.match(name) else "#"
        search = f"{name} {summary['display_name']}".lower()
        cells = "".join(
            _cell(
                summary["targets"].get(t, {}).get("status", "unknown"),
                summary["targets"].get(t, {}).get("evidence", "none"),
            )
            for t in targets
        )
        first = ", ".join(f"{t}: {v}" for t, v in summary["first_ready"].items()) or "—"
        rows.append(
            f'<tr data-search="{escape(search)}"><td><a href="{escape(link)}">'
            f"{escape(summary['display_name'])}</a></td>"
            f"<td>{escape(summary['version'] or '—')}</td>{cells}<td>{escape(first)}</td></tr>"
        )
    head = "".join(f"<th>{escape(t)}</th>" for t in targets)
    generated = escape(str(feed.get("generated") or ""))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>fttrack: free-threading readiness</title><style>{_STYLE}</style></head><body>"
        "<h1>fttrack: can we drop the GIL yet?</h1>"
        f'<p class="sub">Free-threading verdicts per target, generated {generated}. '
        'Data: <a href="feed.json">feed.json</a> (<a href="feed.json.gz">gzip</a>).</p>'
        f"{feed_chart_svg(feed)}"
        '<input id="q" type="search" placeholder="Search projects…" autofocus>'
        ' <span id="count"></span>'
        '<table id="projects"><thead><tr><th>Project</th><th>Version</th>'
        f"{head}<th>First ready</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
