"""Property-based checks of every route against the app's own OpenAPI schema (schemathesis)."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from tests.api.conftest import TOKEN, Hooks, fill
from tracker.api import create_app
from tracker.store import open_store

_TMP = tempfile.TemporaryDirectory(prefix="fttrack-fuzz-")  # removed when the module goes


def _app() -> FastAPI:
    store = open_store(f"sqlite:///{Path(_TMP.name) / 'fuzz.db'}", seed=False)
    fill(store)
    hooks = Hooks()
    return create_app(store, api_token=TOKEN, on_crawl=hooks.on_crawl, on_probe=hooks.on_probe)


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"} if case.method == "POST" else None
    case.call_and_validate(headers=headers)
