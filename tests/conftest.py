"""Settings every test shares."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _audit_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Audits in tests never ask the configured package index for pins the verdict data
    does not know (their answers would change with the index); the tests of that
    lookup clear the variable and serve an index on loopback."""
    monkeypatch.setenv("FTTRACK_OFFLINE", "1")
