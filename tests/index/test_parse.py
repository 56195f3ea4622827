"""Parsing recorded index pages (PEP 691 JSON and PEP 503 HTML)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.errors import IndexUnavailable
from tracker.index.interface import ProjectPage
from tracker.index.parse import parse_html_page, parse_json_page, parse_serial, sort_versions
from tracker.models import Status
from tracker.wheels import classify_file, release_tag_status

PAGE_URL = "https://index.invalid/simple/{}/"


def load_json(assets: Path, name: str) -> ProjectPage:
    body = (assets / f"{name}.json").read_bytes()
    return parse_json_page(body, name=name, page_url=PAGE_URL.format(name))


def test_numpy_page_fields(assets: Path) -> None:
    page = load_json(assets, "numpy")
    assert page.name == "numpy"
    assert page.last_serial == 42069282  # recorded as a string by the mirror
    assert page.api_version == "1.1"
    assert page.versions == (
        "1.26.4",
        "2.1.0",
        "2.4.0",
        "2.4.6",
        "2.5.0",
        "2.5.1",
        "2.5.2",
        "2.5.5",
    )
    sdist = next(f for f in page.files if f.filename == "numpy-2.5.5.tar.gz")
    assert sdist.size == 20873892
    assert sdist.upload_time == datetime(2026, 11, 15, 21, 32, 28, tzinfo=UTC)
    assert sdist.requires_python == ">=3.12"
    assert sdist.sha256 is not None and len(sdist.sha256) == 64
    assert sdist.url.startswith("https://files.index.invalid/")
    assert sdist.version == "2.5.5"
    assert not sdist.has_metadata


def test_numpy_yanked_files_keep_their_reason(assets: Path) -> None:
    page = load_json(assets, "numpy")
    yanked = [f for f in page.files if f.is_yanked]
    assert yanked, "numpy 2.4.0 wheels are yanked on the index"
    assert {f.version for f in yanked} == {"2.4.0"}
    assert {f.yanked for f in yanked} == {"Backward compatibility bug"}


def _targets_by_version(page: ProjectPage) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for version, files in page.files_by_version().items():
        result[version] = set().union(*(f.tags().targets for f in files))
    return result


def test_numpy_free_threaded_wheels_by_version(assets: Path) -> None:
    targets = _targets_by_version(load_json(assets, "numpy"))
    assert targets["1.26.4"] == set()
    assert targets["2.1.0"] == {"3.13t"}
    assert targets["2.4.6"] == {"3.13t", "3.14t"}
    assert targets["2.5.0"] == {"3.14t"}
    assert targets["2.5.1"] == {"3.14t"}
    assert targets["2.5.2"] == {"3.14t", "3.15t"}
    assert targets["2.5.5"] == {"3.14t", "3.15t"}
    last_313t = max(
        (v for v, t in targets.items() if "3.13t" in t), key=lambda v: tuple(map(int, v.split(".")))
    )
    assert last_313t == "2.4.6"


def test_numpy_real_filename_classification(assets: Path) -> None:
    page = load_json(assets, "numpy")
    names = {f.filename for f in page.files}
    name = "numpy-2.5.5-cp315-cp315t-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
    assert name in names
    tags = classify_file(name)
    assert tags.targets == {"3.15t"} and tags.platforms == {"manylinux_x86_64"}
    files_255 = [f.tags() for f in page.files_by_version()["2.5.5"]]
    assert release_tag_status(files_255, "3.13t", "manylinux_x86_64") is Status.NO_FT_WHEEL
    assert release_tag_status(files_255, "3.14t", "manylinux_x86_64") is Status.WHEEL_ONLY
    files_246 = [f.tags() for f in page.files_by_version()["2.4.6"]]
    assert release_tag_status(files_246, "3.13t", "win_amd64") is Status.WHEEL_ONLY


def test_six_is_pure(assets: Path) -> None:
    page = load_json(assets, "six")
    latest = page.files_by_version()["1.17.0"]
    assert {f.filename for f in latest} == {"six-1.17.0-py2.py3-none-any.whl", "six-1.17.0.tar.gz"}
    status = release_tag_status([f.tags() for f in latest], "3.14t", "manylinux_x86_64")
    assert status is Status.PURE
    assert page.versions[-1] == "1.17.0" and page.versions[0] == "0.9.0"  # PEP 440 order


def test_docopt_is_sdist_only(assets: Path) -> None:
    page = load_json(assets, "docopt")
    assert page.files and not any(f.is_wheel for f in page.files)
    files = [f.tags() for f in page.files_by_version()[page.versions[-1]]]
    assert release_tag_status(files, "3.14t", "manylinux_x86_64") is Status.SDIST_ONLY


def test_pyyaml_yanked_release(assets: Path) -> None:
    page = load_json(assets, "pyyaml")
    by_version = page.files_by_version()
    assert all(f.is_yanked for f in by_version["6.0.2rc1"])
    assert all(isinstance(f.yanked, str) and f.yanked for f in by_version["6.0.2rc1"])
    assert not any(f.is_yanked for f in by_version["6.0.2"])
    assert page.versions.index("6.0.2rc1") < page.versions.index("6.0.2")


def test_html_page_matches_json_page(assets: Path) -> None:
    json_page = load_json(assets, "six")
    html_page = parse_html_page(
        (assets / "six.html").read_bytes(),
        name="six",
        page_url=PAGE_URL.format("six"),
        serial_header="26356948",
    )
    assert html_page.last_serial == 26356948
    by_name = {f.filename: f for f in json_page.files}
    assert sorted(by_name) == sorted(f.filename for f in html_page.files)
    for file in html_page.files:
        twin = by_name[file.filename]
        assert (file.url, file.hashes, file.requires_python, file.yanked) == (
            twin.url,
            twin.hashes,
            twin.requires_python,
            twin.yanked,
        )
    assert html_page.versions == json_page.versions
    assert all(f.size is None for f in html_page.files)  # HTML carries no sizes


def test_html_attributes_and_relative_links() -> None:
    body = b"""<html><body>
    <a href="../../files/demo-1.0-py3-none-any.whl#sha256=abc" data-requires-python="&gt;=3.9"
       data-yanked="" data-core-metadata="sha256=def">demo-1.0-py3-none-any.whl</a>
    <a href="demo-2.0.tar.gz" data-yanked="broken build"
       data-dist-info-metadata="true">demo-2.0.tar.gz</a>
    </body></html>"""
    page = parse_html_page(body, name="Demo", page_url="http://h.invalid/simple/demo/")
    first, second = page.files
    assert first.url == "http://h.invalid/files/demo-1.0-py3-none-any.whl"
    assert first.hashes == (("sha256", "abc"),)
    assert first.requires_python == ">=3.9"
    assert first.yanked is True
    assert first.has_metadata and first.metadata_hashes == (("sha256", "def"),)
    assert second.url == "http://h.invalid/simple/demo/demo-2.0.tar.gz"
    assert second.yanked == "broken build"
    assert second.has_metadata and second.metadata_hashes == ()
    assert page.versions == ("1.0", "2.0")
    assert page.last_serial is None


@pytest.mark.parametrize(
    "body",
    [
        b'{"meta": {"api-version": "1.1"}, "files": [{"filename": "a-1.0.tar.gz"',
        b"<html>not json</html>",
        b"[1, 2, 3]",
        b'{"meta": {}, "files": {"not": "a list"}}',
        b'{"files": [{"filename": 3, "url": "x"}]}',
        b"\xff\xfe\x00garbage",
    ],
)
def test_malformed_json_names_the_project(body: bytes) -> None:
    with pytest.raises(IndexUnavailable, match="project 'numpy'"):
        parse_json_page(body, name="numpy", page_url=PAGE_URL.format("numpy"))


def test_json_without_versions_derives_them_and_prefers_meta_serial() -> None:
    body = (
        b'{"meta": {"_last-serial": 9}, "name": "x", "files": ['
        b'{"filename": "x-2.0-py3-none-any.whl", "url": "/f/x-2.0-py3-none-any.whl",'
        b' "hashes": {"sha256": "00"}, "core-metadata": {"sha256": "11"}, "yanked": "",'
        b' "size": true, "upload-time": "yesterday"},'
        b'{"filename": "x-10.0.tar.gz", "url": "x-10.0.tar.gz", "hashes": {},'
        b' "dist-info-metadata": true}]}'
    )
    page = parse_json_page(body, name="x", page_url="http://h.invalid/simple/x/", serial_header="3")
    assert page.last_serial == 9
    assert page.versions == ("2.0", "10.0")
    wheel, sdist = page.files
    assert wheel.url == "http://h.invalid/f/x-2.0-py3-none-any.whl"
    assert wheel.metadata_hashes == (("sha256", "11"),) and wheel.has_metadata
    assert wheel.yanked is True  # an empty reason still means yanked
    assert wheel.size is None and wheel.upload_time is None  # odd optional fields tolerated
    assert sdist.has_metadata  # the PEP 691 spelling before PEP 714


def test_serial_parsing_and_version_sorting() -> None:
    assert parse_serial(" 12 ") == 12
    assert parse_serial(None) is None
    assert parse_serial("-1") is None
    assert sort_versions(["1.10", "1.9", "weird", "1.9", "2.0rc1", "2.0"]) == (
        "weird",
        "1.9",
        "1.10",
        "2.0rc1",
        "2.0",
    )


_HUGE = "9" * 4301


def _page(filename: str, **fields: object) -> bytes:
    import json

    entry = {"filename": filename, "url": filename, "hashes": {}, **fields}
    return json.dumps({"name": "x", "files": [entry]}).encode()


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        (f"x-1.{_HUGE}-py3-none-any.whl", "more than 4,300 digits"),
        (f"x-1.{_HUGE}.tar.gz", "more than 4,300 digits"),
        ("x-1.0-py3-none-any\x00x.whl", "control character"),
        ("x-1.0\n.tar.gz", "control character"),
    ],
)
def test_hostile_file_names_are_an_index_error(filename: str, message: str) -> None:
    """Not a ValueError from deep inside packaging, not a NUL byte for the database."""
    with pytest.raises(IndexUnavailable, match=f"project 'x': .*{message}") as caught:
        parse_json_page(_page(filename), name="x", page_url=PAGE_URL.format("x"))
    assert len(str(caught.value)) < 200  # the name is shortened
    html = f'<html><a href="/f/{filename}">{filename}</a></html>'.encode()
    with pytest.raises(IndexUnavailable, match=message):
        parse_html_page(html, name="x", page_url=PAGE_URL.format("x"))


def test_a_page_of_another_project_is_refused() -> None:
    body = b'{"name": "numpy", "files": []}'
    with pytest.raises(IndexUnavailable, match="the index answered the page of 'numpy'"):
        parse_json_page(body, name="x", page_url=PAGE_URL.format("x"))
    same = parse_json_page(b'{"name": "X", "files": []}', name="x", page_url=PAGE_URL.format("x"))
    assert same.name == "x"


def test_hostile_numbers_are_not_serials_sizes_or_versions() -> None:
    assert parse_serial(_HUGE) is None
    assert parse_serial("9" * 20) is None and parse_serial(2**64) is None
    assert parse_serial("²") is None  # a digit to str.isdigit, not to int()
    assert parse_serial(str(2**63 - 1)) == 2**63 - 1
    page = parse_json_page(_page("x-1.0.tar.gz", size=10**30), name="x", page_url="http://h/x/")
    assert page.files[0].size is None
    assert sort_versions([f"1.{_HUGE}", "1.0"]) == (f"1.{_HUGE}", "1.0")
