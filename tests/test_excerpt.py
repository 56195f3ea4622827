"""An invalid requirement of 8 MB is reported in one short line naming the position."""

from __future__ import annotations

import pytest

from tracker.audit.sources.requirements import parse_requirement
from tracker.errors import InputError, ProbeError
from tracker.excerpt import excerpt, requirement_problem
from tracker.probe.runner import ProbeRequest

LONG = "numpy ==1.0 @@@ " + "x" * 8_000_000


def test_a_long_invalid_requirement_line_is_cut_and_names_the_position() -> None:
    with pytest.raises(InputError) as caught:
        parse_requirement("requirements.txt", 3, LONG, "requirements.txt:3")
    message = str(caught.value)
    assert len(message) < 400, len(message)
    assert "requirements.txt" in message and "at character 13" in message
    assert "8,000,016 characters" in message and "@@@" in message


def test_a_long_invalid_probe_requirement_is_cut() -> None:
    with pytest.raises(ProbeError) as caught:
        _ = ProbeRequest(requirement=LONG).project
    assert len(str(caught.value)) < 400 and "at character 13" in str(caught.value)


def test_the_excerpt_masks_credentials_before_cutting() -> None:
    text = "pkg @ https://user:s3cret@host.example/" + "p" * 500 + " ;;;"
    try:
        from packaging.requirements import Requirement

        Requirement(text)
    except Exception as exc:
        line = requirement_problem(text, exc)
    assert "s3cret" not in line and len(line) < 400
    assert excerpt("x" * 10) == "'xxxxxxxxxx'"
