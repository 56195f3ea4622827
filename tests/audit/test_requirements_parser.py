"""The requirements.txt parser: includes, constraints, hashes, markers, extras, skips, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.audit.sources.requirements import (
    RequirementsSource,
    parse_with_packaging,
    simple_pin,
)
from tracker.errors import InputError


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_nested_requirements_and_constraints(tmp_path: Path) -> None:
    _write(tmp_path, "base/common.txt", "six==1.17.0  # comment\nrequests[socks]>=2\n")
    _write(tmp_path, "constraints.txt", "requests==2.34.2\nnumpy==9.9 ; python_version<'3'\n")
    top = _write(
        tmp_path,
        "requirements.txt",
        "# top comment\n-r base/common.txt\n--constraint constraints.txt\n"
        "numpy==2.5.5 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\n",
    )
    deps = list(RequirementsSource(str(top)))
    by_name = {d.name: d for d in deps}
    assert set(by_name) == {"six", "requests", "numpy"}  # constraints add nothing of their own
    assert by_name["six"].origin == f"{tmp_path}/base/common.txt:1"
    assert by_name["requests"].version == "2.34.2"  # pinned by the constraint
    assert by_name["numpy"].version == "2.5.5"
    assert by_name["numpy"].origin == f"{top}:4"  # first line of the continued requirement


def test_markers_extras_and_loose_specifiers() -> None:
    text = "Requests[Socks] >= 2.0, <3 ; python_version >= '3.8'\nzope.interface\n"
    deps = list(RequirementsSource.from_text("r.txt", text))
    assert deps[0].name == "requests"
    assert deps[0].version is None
    assert deps[0].specifier == "<3,>=2.0"
    assert deps[0].markers == 'python_version >= "3.8"'
    assert deps[1].name == "zope-interface" and deps[1].specifier == ""


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("-e ./src/mypkg", "editable install"),
        ("--editable=git+https://example.invalid/x.git#egg=mypkg", "editable install"),
        ("./wheels/foo-1.0-py3-none-any.whl", "local path"),
        ("https://example.invalid/foo-latest", "URL requirement"),
        ("foo @ https://example.invalid/download?id=3", "URL requirement"),
        ("git+https://example.invalid/foo.git#egg=foo", "URL requirement"),
    ],
)
def test_unjudgeable_lines_are_skipped_with_a_reason(line: str, reason: str) -> None:
    (dep,) = RequirementsSource.from_text("r.txt", line + "\n")
    assert dep.skipped_reason.startswith(reason)
    assert dep.origin == "r.txt:1"


@pytest.mark.parametrize(
    "line",
    ["https://example.invalid/foo-1.0.tar.gz", "foo @ https://example.invalid/foo-1.0.tar.gz"],
)
def test_a_url_to_an_sdist_is_judged_by_its_file(line: str) -> None:
    (dep,) = RequirementsSource.from_text("r.txt", line + "\n")
    assert (dep.name, dep.version, dep.files) == ("foo", "1.0", ("foo-1.0.tar.gz",))
    assert not dep.skipped_reason and dep.direct_url


def test_options_are_ignored() -> None:
    text = "--index-url https://index.invalid/simple\n--no-index\n-f ./wheels\nsix\n"
    assert [d.name for d in RequirementsSource.from_text("r.txt", text)] == ["six"]


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("six\nnumpy===\n", 2, "invalid requirement"),
        ("six\n\n--bogus-option\n", 3, "unknown option"),
        ("-r missing.txt\n", 1, "no such file"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = _write(tmp_path, "requirements.txt", text)
    with pytest.raises(InputError) as caught:
        list(RequirementsSource(str(path)))
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert needle in str(caught.value)


def test_include_cycle_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "-r b.txt\n")
    _write(tmp_path, "b.txt", "-r a.txt\n")
    with pytest.raises(InputError, match="includes itself"):
        list(RequirementsSource(str(tmp_path / "a.txt")))


_NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?", fullmatch=True)
_VERSIONS = st.sampled_from(
    [
        "1",
        "2.4.6",
        "01.0",
        "1.0RC1",
        "1.0-1",
        "1!2.0",
        "1.0+Local.x",
        "1.0.post1.dev2",
        "2.0a1",
        "1.0.0.0.0",
        "1.0+",
        "1..0",
        "1.0_1",
        "3.0.0b1-2",
        "1.0.*",
        "v1.0",
        "1.0 x",
    ]
)
_MARKERS = st.sampled_from(
    [
        "",
        "; python_version >= '3.8'",
        ';sys_platform=="win32" and (os_name == "nt")',
        "; extra == 'socks'",
        "; bogus",
        ";",
        "; python_version < '3' or implementation_name=='pypy'",
    ]
)
_EXTRAS = st.sampled_from(["", "[socks]", "[ a , b ]", "[]", "[a,]", "[-a]"])


@settings(max_examples=300, deadline=None)
@given(_NAMES, _EXTRAS, st.sampled_from(["==", " == ", "== ", "==="]), _VERSIONS, _MARKERS)
def test_the_fast_path_for_pins_agrees_with_packaging(
    name: str, extras: str, operator: str, version: str, marker: str
) -> None:
    text = f"{name}{extras}{operator}{version}{marker}"
    fast = simple_pin("r.txt", 1, text, "r.txt:1")
    try:
        full = parse_with_packaging("r.txt", 1, text, "r.txt:1")
    except InputError:
        assert fast is None, text
        return
    assert fast is None or fast == full, text


def test_plain_pins_take_the_fast_path() -> None:
    dep = simple_pin("r.txt", 3, "Zope.Interface[a]==7.0 ; python_version>'3'", "r.txt:3")
    assert dep is not None
    assert (dep.name, dep.version, dep.specifier, dep.markers) == (
        "zope-interface",
        "7.0",
        "==7.0",
        'python_version > "3"',
    )
    assert simple_pin("r.txt", 1, "numpy>=2", "r.txt:1") is None


@pytest.mark.parametrize(
    "line",
    [
        "https://download.example/whl/cpu/torch-1.7.0%2Bcpu-cp37-cp37m-linux_x86_64.whl",
        "torch @ https://download.example/whl/cpu/torch-1.7.0%2Bcpu-cp37-cp37m-linux_x86_64.whl",
        "https://download.example/whl/torch-1.7.0%2Bcpu-cp37-cp37m-linux_x86_64.whl#sha256=00",
    ],
)
def test_a_wheel_url_is_audited_under_the_name_and_version_of_its_file(line: str) -> None:
    (dep,) = RequirementsSource.from_text("r.txt", line + "\n")
    assert (dep.name, dep.version, dep.specifier) == ("torch", "1.7.0+cpu", "==1.7.0+cpu")
    assert dep.skipped_reason == "" and dep.origin == "r.txt:1"


def test_a_wheel_url_keeps_its_marker() -> None:
    text = "https://download.example/Foo_Bar-2.0-py3-none-any.whl ; sys_platform == 'linux'\n"
    (dep,) = RequirementsSource.from_text("r.txt", text)
    assert (dep.name, dep.version, dep.markers) == ("foo-bar", "2.0", 'sys_platform == "linux"')


def test_a_wheel_url_under_another_name_stays_skipped() -> None:
    text = "foo @ https://download.example/bar-2.0-py3-none-any.whl\n"
    (dep,) = RequirementsSource.from_text("r.txt", text)
    assert dep.skipped_reason.startswith("URL requirement")
