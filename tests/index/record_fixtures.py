"""Re-record the index fixtures in ``tests/assets/index/`` (run by hand, needs the network).

    python -m tests.index.record_fixtures

Fetches a few real project pages from the configured index
(:func:`tracker.config.resolve_index_url`) with the PEP 691 JSON API (and six's
HTML page), keeps a representative subset of the large ones, and rewrites every
absolute URL's host: the index's own host becomes ``index.invalid``, any other
(the file host) ``files.index.invalid``. Nothing else is changed, so the mirror's
quirks (``_last-serial`` as a string) are kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from tracker.config import resolve_index_url
from tracker.index.http import USER_AGENT
from tracker.index.pypi import ACCEPT
from tracker.wheels import classify_file

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "index"

#: project -> versions to keep (None: keep all)
PROJECTS: dict[str, set[str] | None] = {
    # cp313t from 2.1 up to 2.4.6, cp314t from 2.5.0, cp315t from 2.5.2; 2.4.0 has yanked wheels
    "numpy": {"1.26.4", "2.1.0", "2.4.0", "2.4.6", "2.5.0", "2.5.1", "2.5.2", "2.5.5"},
    "six": None,  # pure wheels and sdists
    "docopt": None,  # sdist only
    "pyyaml": {"6.0.1", "6.0.2rc1", "6.0.2", "6.0.3"},  # 6.0.2rc1 is yanked with a reason
}
HTML_PROJECTS = ("six",)


def rewrite_hosts(text: str, index_host: str) -> str:
    """Replace every absolute URL's host with ``index.invalid`` / ``files.index.invalid``."""

    def swap(match: re.Match[str]) -> str:
        host = match.group(2)
        return match.group(1) + ("index.invalid" if host == index_host else "files.index.invalid")

    return re.sub(r"(https?://)([A-Za-z0-9.-]+(?::\d+)?)", swap, text)


def trim(document: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    """Keep only files and versions in ``keep``."""
    files = [f for f in document["files"] if classify_file(f["filename"]).version in keep]
    versions = [v for v in document.get("versions", []) if v in keep]
    return {**document, "files": files, "versions": versions}


def main() -> int:
    """Fetch, trim, rewrite and save every fixture."""
    base = resolve_index_url()
    index_host = urlsplit(base).netloc
    ASSETS.mkdir(parents=True, exist_ok=True)
    with httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=60) as client:
        for name, keep in PROJECTS.items():
            response = client.get(f"{base}{name}/", headers={"Accept": ACCEPT})
            response.raise_for_status()
            document = response.json()
            if keep is not None:
                document = trim(document, keep)
            text = rewrite_hosts(json.dumps(document, indent=1), index_host)
            (ASSETS / f"{name}.json").write_text(text + "\n")
            print(f"{name}.json: {len(text)} bytes, {len(document['files'])} files")
        for name in HTML_PROJECTS:
            response = client.get(f"{base}{name}/", headers={"Accept": "text/html"})
            response.raise_for_status()
            (ASSETS / f"{name}.html").write_text(rewrite_hosts(response.text, index_host))
            print(f"{name}.html: {len(response.text)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
