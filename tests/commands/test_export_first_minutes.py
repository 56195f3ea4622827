"""``fttrack export`` on a fresh install, and what its site shows a reader first: the
shipped snapshot exported as it is (no silent seed), a project link that opens a readable
page, the data's date beside the export's, a counter that does not wrap."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tests.store.helpers import fill
from tracker.archive import Archive, write_archive
from tracker.commands.export import export
from tracker.datafiles import snapshot_path
from tracker.documents import decode_document, decode_summary_feed
from tracker.store import open_store

FTTRACK = Path(sys.executable).with_name("fttrack")


def test_a_fresh_install_exports_the_snapshot_without_making_a_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = tmp_path / "site"
    env = dict(os.environ, FTTRACK_DATA_DIR=str(data), COLUMNS="200")
    for name in ("FTTRACK_DB", "FTTRACK_SNAPSHOT"):
        env.pop(name, None)
    done = subprocess.run(
        [str(FTTRACK), "export", str(out)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first = done.stderr.strip().splitlines()[0]
    assert first.startswith(f"no database at {data / 'fttrack.db'} yet: exporting the snapshot")
    assert "--db to export a database" in first
    assert not data.exists()  # nothing was seeded
    archive = Archive(snapshot_path())
    feed = decode_summary_feed((out / "feed.json").read_bytes())
    assert [s.name for s in feed.projects] == sorted(archive.names())
    assert feed.generated == archive.generated  # the data's own date
    numpy = decode_document(gzip.decompress((out / "projects" / "numpy.json.gz").read_bytes()))
    shipped = archive.document("numpy")
    assert shipped is not None and numpy.summary == shipped.summary
    assert len(numpy.releases) == len(shipped.releases) == numpy.summary.release_count
    assert (out / "projects" / "numpy.html").is_file()
    # docs/api.md's figures are this export's
    docs = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    said = re.search(
        r"For the ([\d,]+) projects of the\nshipped snapshot it is about (\d+) KB", docs
    )
    assert said is not None
    assert int(said.group(1).replace(",", "")) == len(feed.projects)
    assert int(said.group(2)) == round((out / "feed.json.gz").stat().st_size / 1000)
    histories = sum(p.stat().st_size for p in (out / "projects").glob("*.json.gz"))
    assert f"({histories / 2**20:.1f} MiB at gzip's" in docs


def test_an_empty_database_is_seeded_with_a_progress_bar(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_store(url, seed=False).close()
    tiny = tmp_path / "tiny.json.gz"
    source = open_store(f"sqlite:///{tmp_path / 'src.db'}", seed=False)
    fill(source)
    write_archive(tiny, list(source.documents()), generated="2026-12-01T00:00:00Z")
    source.close()
    env = {"FTTRACK_SNAPSHOT": str(tiny)}
    result = CliRunner(env=env).invoke(export, [str(tmp_path / "site"), "--db", url])
    assert result.exit_code == 0, result.output
    assert "wrote 3 projects" in result.output


def _site(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'export.db'}"
    store = open_store(url, seed=False)
    fill(store)
    store.close()
    out = tmp_path / "site"
    result = CliRunner().invoke(export, [str(out), "--db", url])
    assert result.exit_code == 0, result.output
    return out


def test_a_project_link_opens_a_readable_page(tmp_path: Path) -> None:
    out = _site(tmp_path)
    index = (out / "index.html").read_text()
    assert "'projects/'+n+'.html'" in index and ".json.gz':'#'" not in index
    page = (out / "projects" / "numpy.html").read_text()
    assert "<h1>NumPy 2.5.5</h1>" in page  # its display name
    assert "<b>gil-reenabled</b>: installs, but importing a module re-enables the GIL" in page
    assert "re-enabled by numpy._core._umath" in page
    assert '<a href="numpy.json.gz">numpy.json.gz</a>' in page
    assert '<link rel="stylesheet" href="../style.css">' in page
    assert "td.ready{" in (out / "style.css").read_text()


def test_the_index_says_the_datas_date_beside_the_exports(tmp_path: Path) -> None:
    index = (_site(tmp_path) / "index.html").read_text()
    line = re.search(r"exported (\S+ \S+Z); data of (\S+ \S+Z), newest probe (\S+)\.", index)
    assert line is not None, index[:2000]
    assert line.group(3) == "2026-12-11"  # the newest probe fill() records
    assert "#count{white-space:nowrap" in index  # "5000 of 5000 projects" on one line
