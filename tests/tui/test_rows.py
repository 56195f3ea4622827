"""The browse rows and the project grid, over the typed documents of the fixture feed."""

from __future__ import annotations

import pytest

from tests.tui.conftest import ASSETS
from tracker.archive import Archive
from tracker.documents import ProjectDocument, ProjectSummary, current_release
from tracker.models import Status
from tui.grid import badge_markdown, grid_columns, summary_of
from tui.rows import Filters, SortKey, apply_filters, build_row, build_rows, sort_rows
from tui.styles import to_the_second


@pytest.fixture(scope="module")
def archive() -> Archive:
    return Archive(ASSETS / "feed.json")


@pytest.fixture(scope="module")
def summaries(archive: Archive) -> list[ProjectSummary]:
    return archive.summaries()


def document(archive: Archive, name: str) -> ProjectDocument:
    found = archive.document(name)
    assert found is not None
    return found


def test_rows_show_the_stored_summary(summaries: list[ProjectSummary]) -> None:
    """The row's cells are the summary's facts: nothing is worked out again."""
    rows = {r.key: r for r in build_rows(summaries)}
    numpy = next(s for s in summaries if s.name == "numpy")
    cells = [str(c) for c in rows["numpy"].cells]
    assert cells[1] == numpy.version == "2.5.5"
    assert cells[2:5] == [numpy.cell(t).status.value for t in ("3.13t", "3.14t", "3.15t")]


def test_current_release_skips_yanked_and_prereleases(archive: Archive) -> None:
    release = current_release(document(archive, "numpy").releases)
    assert release is not None and release.version == "2.5.5"  # not 2.6.0rc1, not yanked 2.5.6


def test_query_is_case_insensitive_and_matches_display_names(
    summaries: list[ProjectSummary],
) -> None:
    rows = build_rows(summaries)
    assert [r.key for r in apply_filters(rows, Filters(query="  PySo "))] == ["pysocks"]
    assert apply_filters(rows, Filters()) == rows
    assert apply_filters(rows, Filters(query="zzz")) == []


def test_the_project_a_search_names_comes_first() -> None:
    from tracker.datafiles import data_file

    rows = build_rows(Archive(data_file("snapshot.json.gz")).summaries())
    found = [r.key for r in apply_filters(rows, Filters(query="NumPy"))]
    assert found[0] == "numpy" and "fasttext-numpy2" in found  # sorted by name, numpy first
    assert found[1:] == sorted(found[1:])  # the others keep their order
    assert apply_filters(rows, Filters(query="ruamel-yaml"))[0].key == "ruamel-yaml"


def test_status_filter_without_target_means_any_target(
    summaries: list[ProjectSummary],
) -> None:
    rows = build_rows(summaries)
    crashed = apply_filters(rows, Filters(status=Status.CRASHED))
    assert [r.key for r in crashed] == ["lxml"]
    assert apply_filters(rows, Filters(status=Status.CRASHED, target="3.14t")) == []


def test_sort_by_status_keeps_names_ascending_within_a_status(
    summaries: list[ProjectSummary],
) -> None:
    rows = build_rows(summaries)
    ordered = [r.key for r in sort_rows(rows, SortKey("3.13t"))]
    assert ordered[0] == "cryptography"  # the only ready one
    # the audit's order, reversed: ... sdist-only, then no-ft-wheel last, by name
    assert ordered[-4:] == ["uwsgi", "lxml", "numpy", "pyzmq"]
    assert sort_rows(rows, SortKey(None, reverse=True))[0].key == "uwsgi"


def test_names_with_brackets_are_not_markup() -> None:
    row = build_row(ProjectSummary("x", display_name="[bold]x[/]"))
    assert row.cells[0] == "[bold]x[/]"
    assert "[bold]x[/]".lower() in row.haystack


def test_grid_columns_per_target_and_platform(archive: Archive) -> None:
    uwsgi = document(archive, "uwsgi")
    assert [(c.target, c.platform) for c in grid_columns(uwsgi)] == [
        ("3.13t", "*"),
        ("3.14t", "*"),
        ("3.15t", "*"),
    ]
    certifi = document(archive, "certifi")
    assert {c.platform for c in grid_columns(certifi)} == {"any"}


def test_grid_puts_this_machines_platform_first(archive: Archive) -> None:
    cryptography = document(archive, "cryptography")
    columns = grid_columns(cryptography, "macosx_arm64")
    mac = [c for c in columns if c.platform == "macosx_arm64"]
    assert mac and columns[: len(mac)] == mac
    assert [c.target for c in mac] == sorted(c.target for c in mac)
    other = grid_columns(cryptography, "manylinux_x86_64")
    assert other[0].platform == "manylinux_x86_64" and other != columns


def test_summary_of_uses_the_stored_summary(archive: Archive) -> None:
    numpy = document(archive, "numpy")
    summary = summary_of(numpy)
    stored = next(s for s in archive.summaries() if s.name == "numpy")
    assert summary == stored


def test_badge_markdown_quotes_the_name() -> None:
    markdown = badge_markdown("http://h:8000", "a b", "3.13t")
    assert "http://h:8000/badges/a%20b.svg?target=3.13t" in markdown


def test_times_are_shown_to_the_second() -> None:
    assert to_the_second("2026-11-26T01:44:58.123456Z") == "2026-11-26 01:44:58 UTC"
    assert to_the_second("2026-11-26T02:44:58.5+01:00") == "2026-11-26 01:44:58 UTC"
    assert to_the_second("not a time") == "not a time"
