"""Property tests: mangled or random input never makes a parser (or the CLI) raise anything
but InputError, whose message is one line naming the file."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.audit.sources import FORMATS, source_for
from tracker.errors import InputError

from .helpers import LOCKFILES, run_cli

SAMPLES = {
    "requirements": "requirements.txt",
    "uv.lock": "uv.lock",
    "poetry.lock": "poetry2.lock",
    "pylock.toml": "pylock.toml",
    "Pipfile.lock": "Pipfile.lock",
    "pdm.lock": "pdm.lock",
    "pyproject.toml": "pyproject.toml",
}
TEXTS = {name: (LOCKFILES / file).read_text()[:6000] for name, file in SAMPLES.items()}
FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _parse(format_name: str, text: str) -> None:
    try:
        deps = list(source_for(format_name, "input.file", text=text))
    except InputError as exc:
        message = str(exc)
        assert message.startswith("input.file")
        assert "\n" not in message
        return
    for dep in deps:
        assert isinstance(dep.name, str) and dep.name


@st.composite
def _mangled(draw: st.DrawFn, format_name: str) -> str:
    text = TEXTS[format_name]
    rng = random.Random(draw(st.integers(0, 2**32)))
    chars = list(text)
    for _ in range(draw(st.integers(1, 12))):
        op = rng.choice(("delete", "insert", "replace", "cut"))
        pos = rng.randrange(len(chars) or 1)
        junk = rng.choice(
            ['"', "[", "]", "{", "}", "=", "\n", "\\", "#", ";", "@", "\x00", "é", "-r x", ","]
        )
        if op == "delete" and chars:
            del chars[pos : pos + rng.randint(1, 20)]
        elif op == "insert":
            chars.insert(pos, junk)
        elif op == "replace" and chars:
            chars[pos] = junk
        else:
            chars = chars[:pos]
    return "".join(chars)


@pytest.mark.parametrize("format_name", sorted(FORMATS))
@FUZZ
@given(data=st.data())
def test_mangled_real_files_never_crash(format_name: str, data: st.DataObject) -> None:
    _parse(format_name, data.draw(_mangled(format_name)))


@pytest.mark.parametrize("format_name", sorted(FORMATS))
@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_never_crashes(format_name: str, text: str) -> None:
    _parse(format_name, text)


@settings(max_examples=25, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_cli_on_random_stdin_exits_0_1_or_2_without_traceback(text: str) -> None:
    run = run_cli(["audit", "-", "--format", "json"], stdin=text)
    assert run.code in (0, 1, 2)
    assert "Traceback" not in run.stderr
    if run.code == 2:
        assert run.stderr.startswith("error: <stdin>")
        assert run.stderr.count("\n") == 1


@pytest.mark.parametrize("format_name", ["uv.lock", "Pipfile.lock", "pylock.toml"])
def test_cli_exit_2_names_the_file(tmp_path, format_name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / SAMPLES[format_name]
    path.write_text(TEXTS[format_name][:300] + "\n]]]{{{\n")
    run = run_cli(["audit", str(path), "--format-in", format_name])
    assert run.code == 2
    assert run.stderr.startswith(f"error: {path}")
    assert run.stderr.count("\n") == 1
