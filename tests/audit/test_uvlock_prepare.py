"""uv.lock: blanking the wheel lists before parsing changes nothing the audit reads."""

from __future__ import annotations

import pytest

from tracker.audit.sources.uvlock import UvLockSource

from .helpers import LOCKFILES


@pytest.mark.parametrize("name", ["uv.large.lock", "uv.lock"])
def test_blanked_wheels_give_the_same_dependencies_and_lines(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = LOCKFILES / name
    if not path.is_file():
        pytest.skip(f"no {name} fixture")
    text = path.read_text()
    prepared = UvLockSource(str(path)).prepare(text)
    assert prepared.count("\n") == text.count("\n")
    if name == "uv.large.lock":
        assert len(prepared) < len(text) / 3  # the wheel lists are most of a real lock
    fast = list(UvLockSource(str(path), text=text))
    monkeypatch.setattr(UvLockSource, "prepare", lambda self, text: text)
    assert list(UvLockSource(str(path), text=text)) == fast


def test_an_unexpected_shape_inside_a_wheel_list_is_parsed_as_it_is() -> None:
    text = 'version = 1\nwheels = [\n  "odd",\n]\n'
    assert UvLockSource("uv.lock").prepare(text) == text
