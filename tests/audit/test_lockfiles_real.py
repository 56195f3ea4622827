"""Every parser reads the lockfiles the real tools wrote for the same tiny project
(numpy, requests[socks], six with a marker; see tests/assets/lockfiles/regenerate.sh)
and finds the same dependencies."""

from __future__ import annotations

import pytest

from tracker.audit.environment import marker_applies
from tracker.audit.sources import detect_format, open_source, source_for, tomlparse
from tracker.errors import InputError
from tracker.models import Dependency

from .helpers import LOCKFILES, run_cli

EXPECTED = {
    "certifi": "2026.10.19.post1",
    "charset-normalizer": "3.5.3",
    "idna": "3.20",
    "pysocks": "1.7.1",
    "requests": "2.34.2",
    "six": "1.17.0",
    "urllib3": "2.8.0",
}
NUMPY = {"2.4.6", "2.5.5"}  # some tools fork the resolution by Python version

LOCKS = {
    "uv.lock": "uv.lock",
    "poetry1.lock": "poetry.lock",
    "poetry2.lock": "poetry.lock",
    "pdm.lock": "pdm.lock",
    "Pipfile.lock": "Pipfile.lock",
    "pylock.toml": "pylock.toml",
    "requirements.txt": "requirements",
}


def _deps(filename: str) -> list[Dependency]:
    opened = open_source(str(LOCKFILES / filename))
    return list(opened.source)


@pytest.mark.parametrize("filename", sorted(LOCKS))
def test_detected_by_file_name(filename: str) -> None:
    assert detect_format(filename) == LOCKS[filename]


@pytest.mark.parametrize("filename", sorted(LOCKS))
def test_every_lockfile_yields_the_same_dependency_set(filename: str) -> None:
    deps = [d for d in _deps(filename) if not d.skipped_reason]
    pinned = {d.name: d.version for d in deps if d.name != "numpy"}
    assert pinned == EXPECTED
    assert {d.version for d in deps if d.name == "numpy"} <= NUMPY
    assert all(d.specifier == f"=={d.version}" for d in deps)
    assert not [d for d in _deps(filename) if d.skipped_reason]  # the project itself is left out


@pytest.mark.parametrize("filename", sorted(LOCKS))
def test_on_python_314_exactly_one_numpy_applies(filename: str) -> None:
    numpys = [
        d
        for d in _deps(filename)
        if d.name == "numpy" and marker_applies(d.markers, "3.14t", "manylinux_x86_64")
    ]
    assert len(numpys) == 1


@pytest.mark.parametrize("filename", sorted(LOCKS))
def test_origins_point_at_the_package_line(filename: str) -> None:
    lines = (LOCKFILES / filename).read_text().splitlines()
    for dep in _deps(filename):
        path, _, line = dep.origin.rpartition(":")
        assert path.endswith(filename)
        text = lines[int(line) - 1].lower()
        assert dep.name.replace("-", "") in text.replace("-", "").replace("_", ""), dep


def test_forked_uv_lock_keeps_resolution_markers() -> None:
    numpys = {d.version: d.markers for d in _deps("uv.lock") if d.name == "numpy"}
    assert numpys == {
        "2.4.6": "python_full_version < '3.12'",
        "2.5.5": "python_full_version >= '3.12'",
    }


def test_pyproject_declares_the_direct_requirements() -> None:
    deps = _deps("pyproject.toml")
    assert {d.name for d in deps} == {"numpy", "requests", "six"}
    assert all(d.version is None for d in deps)
    six = [d for d in deps if d.name == "six"]
    assert {d.markers for d in six} == {'python_version >= "3.8"', ""}  # main and dev group


def test_pipfile_lock_reads_develop_section() -> None:
    text = (LOCKFILES / "Pipfile.lock").read_text()
    assert '"develop"' in text
    deps = _deps("Pipfile.lock")
    assert [d.name for d in deps].count("six") == 1  # in default and develop: reported once


def test_directory_prefers_a_lockfile() -> None:
    opened = open_source(str(LOCKFILES))
    assert opened.source.format_name == "uv.lock"
    assert "found uv.lock" in opened.note and "requirements.txt" in opened.note


def test_fixtures_name_no_real_index_host() -> None:
    from pip._internal.models.index import PyPI

    for path in (p for p in LOCKFILES.rglob("*") if p.is_file()):
        text = path.read_text()
        assert PyPI.netloc not in text and PyPI.file_storage_domain not in text, path


def test_pylock_written_by_pipenv_is_read_with_names_normalized() -> None:
    # As pipenv's pylock writer lays it out: names as in Pipfile.lock (dots kept),
    # 'dev' in dependency_groups markers, and a VCS package with neither version nor vcs table.
    deps = {d.name: d for d in _deps("pylock.pipenv.toml")}
    assert {"jaraco-classes", "zope-interface", "ruamel-yaml", "backports-tarfile"} <= set(deps)
    assert deps["jaraco-classes"].version == "3.4.0"
    assert deps["jaraco-classes"].specifier == "==3.4.0"
    assert deps["pytest"].markers == "'dev' in dependency_groups"
    assert deps["mylib"].skipped_reason == "no version locked"
    assert sum(1 for d in deps.values() if not d.skipped_reason) == 23


def test_pylock_written_by_pipenv_through_the_cli() -> None:
    result = run_cli(["audit", str(LOCKFILES / "pylock.pipenv.toml"), "--format", "json"])
    assert result.code in (0, 1), result.stderr
    assert "jaraco-classes" in result.stdout and "is not normalized" not in result.stderr


TOML_FIXTURES = [
    "uv.lock",
    "uv.large.lock",
    "poetry1.lock",
    "poetry2.lock",
    "pdm.lock",
    "pylock.toml",
    "pylock.pipenv.toml",
    "pyproject.toml",
]


@pytest.fixture(params=sorted(tomlparse.PARSERS))
def toml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with each TOML parser installed (tomli's fast path, tomllib)."""
    name: str = request.param
    monkeypatch.setattr(tomlparse, "default_parser", lambda: name)
    return name


def test_both_toml_parsers_are_installed_in_the_test_environment() -> None:
    assert set(tomlparse.PARSERS) == {"tomli", "tomllib"}
    assert tomlparse.default_parser() == "tomli"


@pytest.mark.parametrize("filename", TOML_FIXTURES)
def test_both_toml_parsers_give_the_same_document(filename: str) -> None:
    text = (LOCKFILES / filename).read_text()
    assert tomlparse.loads(text, parser="tomli") == tomlparse.loads(text, parser="tomllib")


@pytest.mark.parametrize("filename", TOML_FIXTURES)
def test_sources_read_the_same_with_either_parser(filename: str, toml_parser: str) -> None:
    deps = _deps(filename)
    reference = list(open_source(str(LOCKFILES / filename)).source)
    assert deps == reference and deps


def test_large_real_uv_lock(toml_parser: str) -> None:
    deps = _deps("uv.large.lock")
    assert len(deps) == 165 and all(d.version for d in deps)
    assert {"boto3", "numpy", "cryptography", "pydantic-core", "jupyterlab"} <= {
        d.name for d in deps
    }


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('version = 1\n\n[[package]]\nname = "x\n', 4),
        ("a = 1\na = 2\n", 2),
        ("a = 1\nb = [1,,]\n", 2),
    ],
)
def test_toml_errors_are_the_same_with_either_parser(
    text: str, line: int, toml_parser: str
) -> None:
    with pytest.raises(InputError) as caught:
        list(source_for("uv.lock", "uv.lock", text=text))
    assert caught.value.line == line
    assert "\n" not in str(caught.value) and str(caught.value).startswith("uv.lock:")


def test_deep_nesting_is_an_input_error_with_either_parser(toml_parser: str) -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        list(source_for("uv.lock", "uv.lock", text="version = 1\nx = " + "[" * 100_000))
