"""Legacy sdist names: a version glued to the name by a hyphen is read as pip reads it,
and a name that is no release of the page's project gives no release version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.version import Version

from tracker.index.parse import parse_html_page, parse_json_page
from tracker.wheels import classify_file

#: ``project filename`` lines: every sdist of nine projects with legacy names
#: (tests/index/record_wheel_names.py).
_LINES = (Path(__file__).parent.parent / "assets" / "index" / "sdist-names.txt").read_text()
SDISTS = [tuple(line.split()) for line in _LINES.splitlines()]


@pytest.mark.parametrize(
    ("project", "filename", "version"),
    [
        ("selenium", "selenium-2.0-dev-9429.tar.gz", "2.0.dev9429"),
        ("thrift", "thrift-0.14.0-2.tar.gz", "0.14.0.post2"),
        ("dpath", "dpath-1.2-70.tar.gz", "1.2.post70"),
        ("cheroot", "Cheroot-4.0.0beta-20140210.zip", "4.0.0b20140210"),
        ("comtypes", "comtypes-1.1.3-2.zip", "1.1.3.post2"),
        ("pywinauto", "pywinauto-0.6.2-1.zip", "0.6.2.post1"),
        ("thop", "thop-0.0.22-421392844089.tar.gz", "0.0.22.post421392844089"),
        ("pyvmomi", "pyvmomi-5.5.0-2014.1.1.tar.gz", None),  # not PEP 440
        ("dpath", "dpath-git-unknown.tar.gz", None),
        ("selenium", "selenium-4.0.0a6.macosx-10.15-x86_64.tar.gz", None),  # a built dist
        ("six", "six-1.17.0.tar.gz", "1.17.0"),
        ("python-dateutil", "python-dateutil-2.8.2.tar.gz", "2.8.2"),
        ("ruamel-yaml", "ruamel.yaml-0.18.6.tar.gz", "0.18.6"),
        ("flake8-2020", "flake8-2020-1.6.0.tar.gz", "1.6.0"),
        ("six", "sux-1.0.tar.gz", None),  # another project's file
        ("six", "six-1.0-py3-none-any.whl", "1.0"),
        ("six", "sux-1.0-py3-none-any.whl", None),
    ],
)
def test_a_file_is_a_release_of_its_project_as_pip_reads_it(
    project: str, filename: str, version: str | None
) -> None:
    assert classify_file(filename, project).version == version


@pytest.mark.parametrize(
    "filename",
    ["selenium-2.0-dev-9429.tar.gz", "thrift-0.14.0-2.tar.gz", "pyvmomi-5.5.0-2014.1.1.tar.gz"],
)
def test_without_its_project_a_name_that_may_hold_a_version_is_no_release(filename: str) -> None:
    # read at its last hyphen, these were releases 9429, 2 and 2014.1.1
    assert classify_file(filename).version is None
    assert classify_file("python-dateutil-2.8.2.tar.gz").version == "2.8.2"


def test_a_recorded_legacy_name_is_read_whole_after_the_project_name() -> None:
    glued = 0
    for project, filename in SDISTS:
        version = classify_file(filename, project).version
        parts = filename.removesuffix(".tar.gz").removesuffix(".zip").split("-")
        extra = len(parts) - (project.count("-") + 1)
        if extra > 1:  # a hyphen inside the version: selenium-2.0-dev-9429
            glued += 1
            assert version != parts[-1], filename
            if version is not None:
                assert version == str(Version("-".join(parts[-extra:]))), filename
    assert len(SDISTS) > 100 and glued > 30


def _page(files: list[str]) -> bytes:
    return json.dumps(
        {"meta": {"api-version": "1.1"}, "name": "selenium",
         "files": [{"filename": f, "url": f, "hashes": {}} for f in files]}
    ).encode()  # fmt: skip


def test_a_page_files_legacy_sdists_under_their_real_release() -> None:
    files = ["selenium-2.0-dev-9429.tar.gz", "selenium-4.1.0-py3-none-any.whl",
             "selenium-5.5.0-2014.1.tar.gz", "other-9.0.tar.gz"]  # fmt: skip
    page = parse_json_page(_page(files), name="Selenium", page_url="http://index.invalid/s/")
    grouped = page.files_by_version()
    assert sorted(grouped) == ["2.0.dev9429", "4.1.0"]
    assert page.versions == ("2.0.dev9429", "4.1.0")
    html = "".join(f'<a href="{f}">{f}</a>' for f in files).encode()
    page = parse_html_page(html, name="selenium", page_url="http://index.invalid/s/")
    assert sorted(page.files_by_version()) == ["2.0.dev9429", "4.1.0"]
