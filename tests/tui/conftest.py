"""TUI fixtures: an app over the small fixed feed in tests/assets/tui/, run from that folder
so paths (and so the screens) are the same on every machine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message

from tracker.verdicts.snapshot import SnapshotSource
from tui.app import FttrackApp

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "tui"
SIZE = (120, 36)


@pytest.fixture
def in_assets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run the test from tests/assets/tui (feed.json, requirements.txt), with an empty
    config file and no public URL."""
    monkeypatch.chdir(ASSETS)
    monkeypatch.delenv("FTTRACK_PUBLIC_URL", raising=False)
    config = tmp_path / "config.toml"
    config.write_text("[fttrack]\n")
    monkeypatch.setenv("FTTRACK_CONFIG", str(config))
    return ASSETS


@pytest.fixture
def make_app(in_assets: Path) -> Callable[..., FttrackApp]:
    """Build the app over the fixture feed (target 3.14t, platform manylinux_x86_64)."""

    def make(**options: Any) -> FttrackApp:
        options.setdefault("target", "3.14t")
        options.setdefault("platform", "manylinux_x86_64")
        source = options.pop("source", None) or SnapshotSource("feed.json")
        return FttrackApp(source, **options)

    return make


class Recorder:
    """Collects every message the app processes (``run_test(message_hook=...)``)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        # A message can be dispatched more than once on its way (screen, app): count it once.
        if not any(seen is message for seen in self.messages):
            self.messages.append(message)

    def of(self, kind: type[Message]) -> list[Any]:
        """The recorded messages of one type."""
        return [m for m in self.messages if isinstance(m, kind)]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """A fresh message recorder."""
    yield Recorder()
