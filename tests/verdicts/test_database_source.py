"""DatabaseSource: project documents and summaries from the store, behind the VerdictSource protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.store.helpers import fill
from tracker.errors import SourceError
from tracker.store import open_store
from tracker.verdicts.database import DatabaseSource
from tracker.verdicts.interface import VerdictSource


def test_database_source_answers_like_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    store = open_store(url, seed=False)
    fill(store)
    expected = store.project_document("numpy")
    summaries = store.summaries()
    store.close()
    assert expected is not None
    source = DatabaseSource(url)
    assert isinstance(source, VerdictSource)
    assert source.project("numpy") == expected
    assert source.project("NumPy") == expected
    assert source.project("not-there") is None
    assert source.summaries() == summaries
    assert [s.name for s in summaries] == ["legacy-pkg", "numpy", "six"]
    assert source.targets() == ("3.13t", "3.14t", "3.15t")
    assert source.probed_targets() == ("3.13t", "3.14t")
    assert "3 projects" in source.describe()
    source.close()


def test_an_open_store_is_a_source_too(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'v.db'}", seed=False)
    fill(store)
    source = DatabaseSource(store)
    document = source.project("six")
    assert document is not None and document.name == "six"
    source.close()  # not ours to close
    assert store.project_document("six") == document
    store.close()


def test_missing_sqlite_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        DatabaseSource(f"sqlite:///{tmp_path / 'missing.db'}").project("numpy")
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(SourceError):
        DatabaseSource("postgresql://postgres@127.0.0.1:1/x?connect_timeout=2").project("numpy")
