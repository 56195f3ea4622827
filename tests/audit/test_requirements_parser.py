"""The requirements.txt parser: includes, constraints, hashes, markers, extras, skips, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.audit.sources.requirements import RequirementsSource
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
        ("https://example.invalid/foo-1.0.tar.gz", "URL requirement"),
        ("foo @ https://example.invalid/foo-1.0.tar.gz", "URL requirement"),
        ("git+https://example.invalid/foo.git#egg=foo", "URL requirement"),
    ],
)
def test_unjudgeable_lines_are_skipped_with_a_reason(line: str, reason: str) -> None:
    (dep,) = RequirementsSource.from_text("r.txt", line + "\n")
    assert dep.skipped_reason.startswith(reason)
    assert dep.origin == "r.txt:1"


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
