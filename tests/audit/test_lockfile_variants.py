"""Lockfile entries the real fixtures do not cover: VCS/path sources, Poetry markers tables,
pylock archives, malformed keys (each error names file and key)."""

from __future__ import annotations

import json

import pytest

from tracker.audit.sources import detect_format, source_for
from tracker.errors import InputError


def _deps(format_name: str, text: str) -> list:  # type: ignore[type-arg]
    return list(source_for(format_name, "lock", text=text))


def test_uv_lock_git_and_path_sources_are_skipped() -> None:
    text = """version = 1
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "mylib"
version = "1.0"
source = { git = "https://example.invalid/mylib.git?rev=abc#abc" }

[[package]]
name = "local-thing"
version = "0.2"
source = { directory = "../local" }
"""
    deps = _deps("uv.lock", text)
    assert [(d.name, d.skipped_reason.split(":")[0]) for d in deps] == [
        ("mylib", "git source"),
        ("local-thing", "local directory"),
    ]
    assert deps[0].origin == "lock:8"


def test_poetry_markers_table_and_git_source() -> None:
    text = """[[package]]
name = "Colorama"
version = "0.4.6"
markers = {main = "sys_platform == \\"win32\\"", dev = "sys_platform == \\"win32\\""}

[[package]]
name = "mylib"
version = "1.0"
[package.source]
type = "git"
url = "https://example.invalid/mylib.git"

[metadata]
lock-version = "2.1"
"""
    colorama, mylib = _deps("poetry.lock", text)
    assert colorama.name == "colorama" and colorama.markers == 'sys_platform == "win32"'
    assert mylib.skipped_reason == "git source: https://example.invalid/mylib.git"


def test_pylock_vcs_package_is_skipped() -> None:
    text = """lock-version = "1.0"
created-by = "hand"
[[packages]]
name = "mylib"
vcs = { type = "git", url = "https://example.invalid/mylib.git", commit-id = "abc" }
"""
    (dep,) = _deps("pylock.toml", text)
    assert dep.skipped_reason == "VCS source: https://example.invalid/mylib.git"


def test_pipfile_lock_editable_path_is_skipped() -> None:
    text = json.dumps(
        {"_meta": {}, "default": {}, "develop": {"mypkg": {"editable": True, "path": "."}}}
    )
    (dep,) = _deps("Pipfile.lock", text)
    assert dep.skipped_reason == "local path (editable): ."


@pytest.mark.parametrize(
    ("format_name", "text", "needle"),
    [
        ("uv.lock", "version = 1\n[[package]]\nname = 3\n", "package[0].name"),
        ("uv.lock", 'version = 1\npackage = "x"\n', "package: expected an array"),
        ("uv.lock", "[[package]]\nname = 'x'\n", "not a uv.lock"),
        (
            "poetry.lock",
            "[[package]]\nname = 'x'\n[metadata]\nlock-version='2.1'\n",
            "package[0].version",
        ),
        ("pdm.lock", "[metadata]\n", "not a pdm.lock"),
        ("pylock.toml", 'lock-version = "2.0"\n', "unsupported version"),
        (
            "pylock.toml",
            'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = 1\n',
            "packages[0].name",
        ),
        ("Pipfile.lock", '{"default": {"six": {"version": "1.0"}}}', "default.six.version"),
        ("Pipfile.lock", '{"default": ', "invalid JSON"),
        ("pyproject.toml", "[project]\ndependencies = 'numpy'\n", "project.dependencies"),
        ("pyproject.toml", "[project\n", "invalid TOML"),
    ],
)
def test_malformed_input_names_the_key(format_name: str, text: str, needle: str) -> None:
    with pytest.raises(InputError) as caught:
        _deps(format_name, text)
    message = str(caught.value)
    assert message.startswith("lock")
    assert needle in message
    assert "\n" not in message


def test_toml_syntax_error_has_a_line() -> None:
    with pytest.raises(InputError) as caught:
        _deps("uv.lock", 'version = 1\n\n[[package]]\nname = "x\n')
    assert caught.value.line == 4


@pytest.mark.parametrize(
    ("name", "expected"),
    [("pylock.dev.toml", "pylock.toml"), ("requirements.in", "requirements"), ("setup.cfg", None)],
)
def test_detect_format(name: str, expected: str | None) -> None:
    assert detect_format(name) == expected


@pytest.mark.parametrize(
    ("format_name", "text"),
    [
        ("uv.lock", 'version = 1\n[[package]]\nname = "Jaraco.Classes"\nversion = "3.4.0"\n'),
        (
            "poetry.lock",
            '[[package]]\nname = "Jaraco.Classes"\nversion = "3.4.0"\n'
            "[metadata]\nlock-version = '2.1'\n",
        ),
        (
            "pdm.lock",
            '[metadata]\nlock_version = "4.5.0"\n'
            '[[package]]\nname = "Jaraco.Classes"\nversion = "3.4.0"\n',
        ),
        (
            "pylock.toml",
            'lock-version = "1.0"\ncreated-by = "pipenv"\n'
            '[[packages]]\nname = "Jaraco.Classes"\nversion = "3.4.0"\n'
            'index = "https://index.invalid/simple/"\n',
        ),
        ("Pipfile.lock", json.dumps({"default": {"Jaraco.Classes": {"version": "==3.4.0"}}})),
        ("requirements", "Jaraco.Classes==3.4.0\n"),
    ],
)
def test_unnormalized_names_are_normalized_in_every_format(format_name: str, text: str) -> None:
    (dep,) = _deps(format_name, text)
    assert (dep.name, dep.version) == ("jaraco-classes", "3.4.0")
