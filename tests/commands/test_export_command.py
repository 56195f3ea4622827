"""``fttrack export DIR``: summary feed, project documents, badges, index.html with a chart and table."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from tests.store.helpers import fill
from tracker.chart import readiness_chart_svg
from tracker.commands.export import export
from tracker.documents import FEED_SCHEMA, decode_document, decode_summary_feed, summarize
from tracker.models import Status
from tracker.site import index_rows, shared_badge_path
from tracker.store import open_store
from tracker.vocabulary import colour

SVG = "{http://www.w3.org/2000/svg}"


def _db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'export.db'}"
    store = open_store(url, seed=False)
    fill(store)
    store.close()
    return url


def test_export_writes_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    url = _db(tmp_path)
    with open_store(url, seed=False) as store:
        expected = store.project_document("numpy")
    result = CliRunner().invoke(export, [str(out), "--db", url])
    assert result.exit_code == 0, result.output
    raw = (out / "feed.json").read_bytes()
    feed = json.loads(raw)
    assert list(feed) == ["schema", "generated", "targets", "projects"]
    assert feed["schema"] == FEED_SCHEMA == 3
    assert feed["targets"] == ["3.13t", "3.14t", "3.15t"]
    summaries = decode_summary_feed(raw).projects
    assert [s.name for s in summaries] == ["legacy-pkg", "numpy", "six"]
    assert gzip.decompress((out / "feed.json.gz").read_bytes()) == raw
    numpy = decode_document(gzip.decompress((out / "projects" / "numpy.json.gz").read_bytes()))
    assert numpy == expected  # the stored document, with its summary
    assert numpy.summary == summaries[1] == summarize(numpy)
    assert summaries[1].cell("3.14t").status is Status.GIL_REENABLED
    badge = json.loads((out / "badges" / "numpy-3.14t.json").read_text())
    assert badge["message"] == "gil-reenabled" and set(badge) == {
        "schemaVersion",
        "label",
        "message",
        "color",
        "cacheSeconds",
    }
    for target in ("3.13t", "3.14t", "3.15t"):
        message = json.loads((out / "badges" / f"six-{target}.json").read_text())["message"]
        ET.fromstring((out / shared_badge_path(message, target)).read_text())
        assert not (out / "badges" / f"six-{target}.svg").exists()  # one SVG per verdict
    assert len(list((out / "badges" / "3.14t").glob("*.svg"))) == 2 * len(Status)
    html = (out / "index.html").read_text()

    class Collect(HTMLParser):
        data: list[str] = []
        inside = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.inside = tag == "script" and dict(attrs).get("id") == "data"

        def handle_data(self, data: str) -> None:
            if self.inside:
                self.data.append(data)

    parser = Collect()
    parser.feed(html)
    page = json.loads("".join(parser.data))
    assert [f"{n} {d or n}".lower() for n, d, *_ in page["rows"]] == [
        "legacy-pkg legacy_pkg",
        "numpy numpy",
        "six six",
    ]
    assert page["rows"] == index_rows(decode_summary_feed(raw))
    (numpy_row,) = [r for r in page["rows"] if r[0] == "numpy"]
    status = page["statuses"][int(numpy_row[3][2], 16)]  # 3.14t: the second target
    assert status == "gil-reenabled" and numpy_row[3][3] == "p"
    assert "<svg" in html and 'id="q"' in html
    assert colour(Status.GIL_REENABLED).hex in html


def test_svg_per_project_writes_a_copy_per_project_and_target(tmp_path: Path) -> None:
    out, url = tmp_path / "site", _db(tmp_path)
    result = CliRunner().invoke(export, [str(out), "--db", url, "--svg-per-project"])
    assert result.exit_code == 0, result.output
    for target in ("3.13t", "3.14t", "3.15t"):
        message = json.loads((out / "badges" / f"numpy-{target}.json").read_text())["message"]
        shared = (out / shared_badge_path(message, target)).read_bytes()
        assert (out / "badges" / f"numpy-{target}.svg").read_bytes() == shared
    result = CliRunner().invoke(export, [str(out), "--db", url])  # without: the copies go
    assert result.exit_code == 0, result.output
    assert not list((out / "badges").glob("*.svg"))


def test_export_into_a_file_path_fails_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    result = CliRunner().invoke(export, [str(target), "--db", _db(tmp_path)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_chart_draws_one_bar_per_target_with_segments_proportional() -> None:
    svg = readiness_chart_svg({"3.13t": {"ready": 1, "no-ft-wheel": 3}, "3.14t": {"ready": 4}})
    root = ET.fromstring(svg)
    segments = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = {r.find(f"{SVG}title").text: float(r.get("width", 0)) for r in segments}  # type: ignore[union-attr]
    assert widths["3.13t no-ft-wheel: 3 of 4"] == 3 * widths["3.13t ready: 1 of 4"]
    assert widths["3.14t ready: 4 of 4"] == widths["3.13t ready: 1 of 4"] * 4


def test_a_second_export_rewrites_only_what_changed(tmp_path: Path) -> None:
    out, url = tmp_path / "site", _db(tmp_path)
    assert CliRunner().invoke(export, [str(out), "--db", url]).exit_code == 0
    kept = out / "projects" / "six.json.gz"
    changed = out / "badges" / "numpy-3.14t.json"
    right = changed.read_bytes()
    changed.write_bytes(b"{}")  # edited by hand since
    (out / "projects" / "numpy.json").write_text("{}")  # left by an older export
    before = kept.stat().st_ino, kept.stat().st_mtime_ns
    result = CliRunner().invoke(export, [str(out), "--db", url])
    assert result.exit_code == 0, result.output
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == before  # same bytes: left alone
    assert changed.read_bytes() == right
    assert not (out / "projects" / "numpy.json").exists()
    assert not [p for p in out.rglob(".*.tmp")]
