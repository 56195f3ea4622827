"""The browse rows: filters, sort order and the project summary behind them."""

from __future__ import annotations

import json

import pytest

from tests.tui.conftest import ASSETS
from tracker.models import Status
from tracker.verdicts.listing import current_release, summarize
from tui.grid import badge_markdown, grid_columns
from tui.rows import Filters, SortKey, apply_filters, build_rows, sort_rows


@pytest.fixture(scope="module")
def documents() -> list[dict[str, object]]:
    feed = json.loads((ASSETS / "feed.json").read_text())
    projects: list[dict[str, object]] = feed["projects"]
    return projects


def test_summary_matches_the_feed_module(documents: list[dict[str, object]]) -> None:
    """The TUI's list says what the API and badges say (tracker.feed.project_summary)."""
    from tracker.feed import project_summary

    for document in documents:
        ours = summarize(document)
        theirs = project_summary(document)
        assert ours.version == theirs["version"]
        for target, verdict in theirs["targets"].items():
            assert ours.cell(target).status.value == verdict["status"]
            assert ours.cell(target).evidence.value == verdict["evidence"]
        assert ours.first_ready == theirs["first_ready"]


def test_current_release_skips_yanked_and_prereleases(
    documents: list[dict[str, object]],
) -> None:
    numpy = next(d for d in documents if d["name"] == "numpy")
    release = current_release(numpy)
    assert release is not None and release["version"] == "2.5.5"  # not 2.6.0rc1, not yanked 2.5.6


def test_query_is_case_insensitive_and_matches_display_names(
    documents: list[dict[str, object]],
) -> None:
    rows = build_rows(summarize(d) for d in documents)
    assert [r.key for r in apply_filters(rows, Filters(query="  PySo "))] == ["pysocks"]
    assert apply_filters(rows, Filters()) == rows
    assert apply_filters(rows, Filters(query="zzz")) == []


def test_status_filter_without_target_means_any_target(
    documents: list[dict[str, object]],
) -> None:
    rows = build_rows(summarize(d) for d in documents)
    crashed = apply_filters(rows, Filters(status=Status.CRASHED))
    assert [r.key for r in crashed] == ["lxml"]
    assert apply_filters(rows, Filters(status=Status.CRASHED, target="3.14t")) == []


def test_sort_by_status_keeps_names_ascending_within_a_status(
    documents: list[dict[str, object]],
) -> None:
    rows = build_rows(summarize(d) for d in documents)
    ordered = [r.key for r in sort_rows(rows, SortKey("3.13t"))]
    assert ordered[0] == "cryptography"  # the only ready one
    # the audit's order, reversed: ... sdist-only, then no-ft-wheel last, by name
    assert ordered[-4:] == ["uwsgi", "lxml", "numpy", "pyzmq"]
    assert sort_rows(rows, SortKey(None, reverse=True))[0].key == "uwsgi"


def test_names_with_brackets_are_not_markup() -> None:
    row = build_rows([summarize({"name": "x", "display_name": "[bold]x[/]", "releases": []})])[0]
    assert row.cells[0].plain == "[bold]x[/]"


def test_grid_columns_per_target_and_platform(documents: list[dict[str, object]]) -> None:
    uwsgi = next(d for d in documents if d["name"] == "uwsgi")
    assert [(c.target, c.platform) for c in grid_columns(uwsgi)] == [
        ("3.13t", "*"),
        ("3.14t", "*"),
        ("3.15t", "*"),
    ]
    certifi = next(d for d in documents if d["name"] == "certifi")
    assert {c.platform for c in grid_columns(certifi)} == {"any"}


def test_badge_markdown_quotes_the_name() -> None:
    markdown = badge_markdown("http://h:8000", "a b", "3.13t")
    assert "http://h:8000/badges/a%20b.svg?target=3.13t" in markdown
