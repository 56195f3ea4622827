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
from testkit.doc_screenshots import DETAIL_PROJECT, SCREENSHOTS, Screenshot, draw, svg_lines

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
    drawn = draw(shot)
    assert str(ROOT) not in drawn, "a screenshot shows where the repository is on this machine"
    assert shot.path.read_text() == drawn, (
        f"{shot.path.relative_to(ROOT)} is not what the TUI draws on the shipped snapshot now "
        "(scripts/regenerate-doc-examples draws it again)"
    )


def test_the_project_screenshot_shows_a_stress_result_whole(tmp_path: Path) -> None:
    """Once the snapshot carries the project's own tests in threads, its screenshot shows
    the ``threads:`` line under the verdict, and the panel's other lines stay in view."""
    import msgspec

    from tracker.archive import Archive, write_archive
    from tracker.datafiles import snapshot_path
    from tracker.documents import current_release
    from tracker.stress.result import StressBlock
    from tracker.vocabulary import StressStatus

    document = Archive(snapshot_path()).document(DETAIL_PROJECT)
    assert document is not None
    current = current_release(document.releases)
    assert current is not None
    stress = StressBlock(
        StressStatus("races"),
        stressed_at="2026-12-06T10:00:00Z",
        tests_run=40,
        tests_failed=2,
        failing={"tests/test_a.py::test_one": "race", "tests/test_b.py::test_two": "race"},
    )
    for target, verdict in list(current.targets.items()):
        current.targets[target] = msgspec.structs.replace(verdict, stress=stress)
    snapshot = tmp_path / "snapshot.json.gz"
    write_archive(snapshot, [document], generated="2026-12-06T12:00:00Z")
    shot = next(s for s in SCREENSHOTS if s.path.name == "tui-detail.svg")
    lines = svg_lines(draw(shot, snapshot))
    panel = lines[next(i for i, line in enumerate(lines) if line.startswith("─")) + 1 :]
    assert panel[0].strip().startswith(f"{DETAIL_PROJECT} {current.version} on "), lines
    assert any(
        "threads: races · races in its own tests: 2 of 40 fail in 8 threads without the GIL" in line
        for line in panel
    ), lines
    assert any(line.strip().startswith("probe: python") for line in panel), lines
    assert lines[-1].startswith("q Quit"), lines
