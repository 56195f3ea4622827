"""The typed project document: lossless on the whole real snapshot, and summaries stored
on write that always equal the summaries recomputed from history (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.helpers import T0, pg_schema_url, probe
from tracker.archive import Archive, index_path_for
from tracker.datafiles import data_file
from tracker.documents import (
    TARGET_NAMES,
    DocumentError,
    ProjectDocument,
    ProjectSummary,
    decode_document,
    decode_summary,
    encode,
    summarize,
)
from tracker.models import Status
from tracker.store import Store, open_store
from tracker.store.document_rows import document_from_rows
from tracker.store.rows import load_projects
from tracker.vocabulary import WHEEL_STATUSES

SHIPPED = data_file("snapshot.json.gz")
ARCHIVE = Archive(SHIPPED)
NAMES = ARCHIVE.names()
#: What a probe can decide.
PROBED = sorted(WHEEL_STATUSES - {Status.WHEEL_ONLY})


def _members() -> Iterator[tuple[str, bytes]]:
    """Each project member's JSON, read straight from the file by the index's spans."""
    index = json.loads(index_path_for(SHIPPED).read_text())
    data = SHIPPED.read_bytes()
    assert index["size"] == len(data)
    for name, (start, length, *_) in index["projects"].items():
        text = zlib.decompressobj(31).decompress(data[start : start + length])
        yield name, text.removeprefix(b",")


def test_the_whole_snapshot_round_trips_byte_for_byte() -> None:
    count = 0
    for name, member in _members():
        document = decode_document(member, what=name)
        assert document.name == name
        again = encode(document)
        assert again == member, f"{name}: encoding changed the member"
        assert decode_document(again) == document, name
        count += 1
    assert count == len(NAMES) == 5000


def test_a_lazily_read_document_encodes_to_its_member_too() -> None:
    for name, member in list(_members())[::50]:
        document = ARCHIVE.document(name)
        assert document is not None
        assert encode(document) == member, name


def test_summaries_round_trip_and_defaults_are_omitted() -> None:
    for summary in ARCHIVE.summaries()[::10]:
        data = encode(summary)
        assert decode_summary(data) == summary
        assert b":null" not in data and b'"culprits":[]' not in data


def test_a_malformed_document_is_one_line_naming_the_field() -> None:
    with pytest.raises(DocumentError, match=r"numpy: .*\$\.releases\[0\]\.targets") as caught:
        decode_document(b'{"name":"x","releases":[{"version":"1","targets":3}]}', what="numpy")
    assert "\n" not in str(caught.value)
    with pytest.raises(DocumentError, match="numpy: Input data was truncated"):
        decode_document(b'{"name":', what="numpy")
    with pytest.raises(DocumentError, match="numpy: JSON is malformed"):
        decode_document(b"{not json", what="numpy")
    with pytest.raises(
        DocumentError, match=r"numpy: Expected `object`, got `array` - at `\$\.releases\[0\]`"
    ):
        decode_document(b'{"name":"x","releases":' + b"[" * 100_000, what="numpy")


# -- summaries computed on write equal summaries recomputed from history ---------------------


@contextmanager
def _fresh_store(backend: str) -> Iterator[Store]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            store = open_store(f"sqlite:///{Path(directory) / 'fttrack.db'}", seed=False)
            try:
                yield store
            finally:
                store.close()
    else:
        with pg_schema_url() as url:
            store = open_store(url, seed=False)
            try:
                yield store
            finally:
                store.close()


def _recomputed(store: Store, name: str) -> tuple[ProjectSummary, ProjectSummary, ProjectSummary]:
    """(stored summary, summary of the stored document, summary of the rows rebuilt)."""
    (stored,) = [s for s in store.summaries() if s.name == name]
    document = store.project_document(name)
    assert document is not None
    with store.session_scope() as session:
        (rows,) = load_projects(session=session, names=[name])
        rebuilt = document_from_rows(rows)
    assert rebuilt.releases == document.releases
    return stored, summarize(document), summarize(rebuilt)


def _full(name: str) -> ProjectDocument:
    document = ARCHIVE.document(name)
    assert document is not None
    return decode_document(encode(document))  # every release decoded


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(NAMES),
    data=st.data(),
)
def test_stored_summaries_equal_summaries_recomputed_from_history(
    backend: str, name: str, data: st.DataObject
) -> None:
    document = _full(name)
    with _fresh_store(backend) as store:
        store.import_feed([document], generated=ARCHIVE.generated, source=name)
        stored, from_document, from_rows = _recomputed(store, name)
        assert stored == from_document == from_rows
        assert stored == document.summary == summarize(document)  # the import is lossless

        write = data.draw(st.sampled_from(["probe", "watch"]), label="write")
        if write == "probe" and document.releases:
            release = data.draw(st.sampled_from(document.releases), label="release")
            target = data.draw(st.sampled_from(TARGET_NAMES), label="target")
            status = data.draw(st.sampled_from(PROBED), label="status")
            culprit = f"{name.replace('-', '_')}._core" if status is Status.GIL_REENABLED else None
            later = T0 + timedelta(days=400)  # newer than every probe of the snapshot
            assert store.record_probe(
                probe(name, release.version, target, status, at=later, culprit=culprit)
            )
        else:
            reason = data.draw(st.sampled_from(["seed", "audit", "manual"]), label="reason")
            store.add_to_watchlist([name], reason)
        stored, from_document, from_rows = _recomputed(store, name)
        assert stored == from_document == from_rows
        if write == "probe" and document.releases:
            changed = store.project_document(name)
            assert changed is not None
            verdict = next(r for r in changed.releases if r.version == release.version)
            assert verdict.targets[target].status is status
            assert stored.cell(target).probed >= 1
