"""The examples of README.md and docs/*.md run as written.

Every ```console block holds commands that need no network and no service
(``$ fttrack ...``), each followed by its output. Each command is run from the
repository root with ``COLUMNS=100``, a fresh SQLite database and the shipped
snapshot; it must not fail with a usage error or a traceback, and:

- in a ```console block, what it prints (standard output and error, in the
  order written) must equal the lines shown, trailing spaces aside;
- in a ```console first-line block (outputs with times, paths or this
  machine's interpreters), the first line shown must appear in what it prints.

Blocks that need the network or a running service are fenced as ```sh and not
run. Relative links between these files must lead to files that exist.

The figures the prose states about the shipped data (the default target, the
snapshot's size, its counts of projects, releases, probes and changes, ...:
``testkit/doc_figures.py``) must be what the data says, and the TUI's
screenshots (``testkit/doc_screenshots.py``) what the app draws on it now.
``scripts/regenerate-doc-examples`` writes all of them again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from testkit.doc_examples import PAGES, ROOT, Example, examples, run
from testkit.doc_figures import FIGURES, Facts, check
from testkit.doc_screenshots import SCREENSHOTS, Screenshot, draw

LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)\s]*)?\)")


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_the_pages_have_runnable_examples() -> None:
    readme = [e for e in examples() if e.page == "README.md"]
    assert any(e.command == "fttrack audit examples/requirements.txt" and e.whole for e in readme)
    assert len(examples()) >= 5


def test_links_between_pages_lead_to_files() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.id)
def test_example_prints_what_is_shown(example: Example, tmp_path: Path) -> None:
    completed = run(example.command, tmp_path)
    printed = completed.stdout
    assert completed.returncode in (0, 1), printed
    assert "Traceback" not in printed
    if example.whole:
        assert _lines(printed) == _lines("\n".join(example.shown)), (
            f"{example.page} shows another output; `{example.command}` printed:\n{printed}"
        )
    else:
        first = next((line.strip() for line in example.shown if line.strip()), None)
        assert first is not None, f"{example.page}: `{example.command}` shows no output"
        assert first in printed, f"{example.page} shows {first!r}; the command printed:\n{printed}"


@pytest.fixture(scope="module")
def facts() -> Facts:
    """The shipped data, read once for the figures' tests."""
    return Facts()


def test_the_figures_of_the_prose_are_the_datas(facts: Facts) -> None:
    problems = check(facts)
    assert problems == [], (
        "the pages state figures the shipped data does not (scripts/regenerate-doc-examples "
        "writes them again):\n" + "\n".join(problems)
    )


def test_the_figures_cover_every_page_that_states_the_datas_counts() -> None:
    """Each page with sentences about the shipped snapshot has figures checked."""
    pages = {f.page for f in FIGURES if f.page is not None}
    assert {
        "README.md",
        "docs/snapshot.md",
        "docs/api.md",
        "docs/service.md",
        "docs/tui.md",
        "docs/audit-inputs.md",
    } <= pages


@pytest.mark.parametrize("shot", SCREENSHOTS, ids=lambda s: s.path.name)
def test_screenshots_are_what_the_app_draws_now(shot: Screenshot) -> None:
    assert shot.path.read_text() == draw(shot), (
        f"{shot.path.relative_to(ROOT)} is not what the TUI draws on the shipped snapshot now "
        "(scripts/regenerate-doc-examples draws it again)"
    )
