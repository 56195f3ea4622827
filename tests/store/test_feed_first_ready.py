"""``first_ready`` prefers final releases."""

from __future__ import annotations

from tracker.feed import _first_ready


def _release(version: str, status: str, yanked: bool = False) -> dict[str, object]:
    return {"version": version, "yanked": yanked, "targets": {"3.14t": {"status": status}}}


def test_first_ready_skips_pre_releases_when_a_final_is_ready() -> None:
    releases = [  # newest first, as in a project document
        _release("2.1.0", "ready"),
        _release("2.0.0", "ready"),
        _release("2.0.0rc1", "ready"),
        _release("1.9.0", "no-ft-wheel"),
    ]
    assert _first_ready(releases) == {"3.14t": "2.0.0"}


def test_first_ready_falls_back_to_a_pre_release_and_ignores_yanked() -> None:
    releases = [_release("1.0.0b2", "ready"), _release("1.0.0b1", "ready", yanked=True)]
    assert _first_ready(releases) == {"3.14t": "1.0.0b2"}
