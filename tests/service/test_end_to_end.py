"""Crawl + probe + serve end to end: real wheels on a loopback index, real interpreter, real HTTP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from testkit.indexserver import IndexServer
from testkit.wheelbuild import Extension, build_binary_wheel
from tests.service.helpers import FTTRACK, free_port, fttrack_env, start_serve
from tracker.config import load_settings
from tracker.documents import decode_document, decode_summary_feed, summarize
from tracker.models import Status, get_target
from tracker.pythons.discover import find_interpreter

PLATFORM = "manylinux_2_17_x86_64"  # what the index serves and the tracker probes


def test_crawl_probe_and_serve(tmp_path: Path) -> None:
    python = find_interpreter(get_target("3.14t"), load_settings()).path
    wheels = tmp_path / "wheels"
    good = build_binary_wheel(wheels, python, "ftgood", [Extension("ftgood._core", "good")],
                              python_files={"ftgood/__init__.py": "from ftgood import _core\n"},
                              platform_tag=PLATFORM)  # fmt: skip
    bad = build_binary_wheel(wheels, python, "ftbad", [Extension("ftbad._core", "bad")],
                             python_files={"ftbad/__init__.py": "from ftbad import _core\n"},
                             platform_tag=PLATFORM)  # fmt: skip
    with IndexServer() as index:
        index.add_wheel_file(good)
        index.add_wheel_file(bad)
        env = fttrack_env(index.index_url, tmp_path / "fttrack.db")
        crawl = subprocess.run([*FTTRACK, "crawl", "ftgood", "ftbad", "--probe", "3.14t"],
                               env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
        assert crawl.returncode == 0, crawl.stderr
        assert "ftbad 1.0 3.14t: gil-reenabled" in crawl.stderr
        assert "ftgood 1.0 3.14t: ready" in crawl.stderr

        port = free_port()
        server = start_serve(env, port, "--no-crawl")
        try:
            base = f"http://127.0.0.1:{port}"
            bad_doc = httpx.get(f"{base}/api/v1/projects/ftbad").json()
            verdict = bad_doc["releases"][0]["targets"]["3.14t"]
            assert verdict["status"] == "gil-reenabled" and verdict["evidence"] == "probe"
            assert verdict["culprits"] == [{"module": "ftbad._core", "owner": "ftbad"}]
            assert verdict["probe"]["sandbox"] == "bwrap"
            good_doc = decode_document(httpx.get(f"{base}/api/v1/projects/ftgood").content)
            assert good_doc.summary is not None and good_doc.summary == summarize(good_doc)
            assert good_doc.summary.cell("3.14t").first_ready == "1.0"
            assert good_doc.summary.cell("3.14t").status is Status.READY
            badge = httpx.get(f"{base}/badges/ftbad.json", params={"target": "3.14t"}).json()
            assert set(badge) <= {"schemaVersion", "label", "message", "color", "cacheSeconds"}
            assert "GIL" in badge["message"] or "gil" in badge["message"]
            svg = httpx.get(f"{base}/badges/ftgood.svg", params={"target": "3.14t"})
            assert svg.headers["content-type"].startswith("image/svg+xml") and "ready" in svg.text
            feed = decode_summary_feed(httpx.get(f"{base}/api/v1/feed.json").content)
            assert feed.schema == 3
            assert [p.name for p in feed.projects] == ["ftbad", "ftgood"]
            assert feed.projects[0].cell("3.14t").status is Status.GIL_REENABLED
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert "stopped cleanly" in server.stderr.read().decode()  # type: ignore[union-attr]
