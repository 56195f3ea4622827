"""The one redaction function (:func:`tracker.redact.redact`) and :func:`tracker.redact.visible`."""

from __future__ import annotations

import logging

import pytest

from tracker.redact import MASK, redact, redact_record, safe_line, visible

SECRET = "S3cretValue9"


@pytest.mark.parametrize(
    "text",
    [
        f"http://user:{SECRET}@127.0.0.1:8000",
        f"http://{SECRET}@127.0.0.1/x",
        f"http://user:pa'{SECRET}@host.example.invalid/",
        f'http://user:pa"{SECRET}@host.example.invalid/',
        f"http://user:pa<{SECRET}>@host.example.invalid/",
        f"http://user:pa#{SECRET}@host.example.invalid/",
        f"http://user:pa?{SECRET}@host.example.invalid/",
        f"http://user:p@{SECRET}@host.example.invalid/",
        f"http://127.0.0.1/?token={SECRET}",
        f"http://127.0.0.1/simple?access_key={SECRET}",
        f"http://127.0.0.1/simple?a=1&private-key={SECRET}",
        f"http://127.0.0.1/simple?jwt={SECRET}",
        f"http://127.0.0.1/simple?pass={SECRET}",
        f"http://127.0.0.1/f.whl#token={SECRET}",
        f"http://127.0.0.1/f.whl?{SECRET}",
        f"http://127.0.0.1/f.whl?X-Amz-Signature={SECRET}&X-Amz-Credential={SECRET}",
        f"http://127.0.0.1/f.whl?sig={SECRET}'",
        f"https://[::1/?token={SECRET}",
        f"git+ssh://{SECRET}@127.0.0.1/o/r.git@v1#egg=r",
    ],
)
def test_every_secret_position_is_masked(text: str) -> None:
    for shown in (text, f"error: cannot reach {text}: refused", f"'{text}'", f"<{text}>"):
        assert SECRET not in redact(shown), shown
        assert MASK in redact(shown)


def test_what_is_not_secret_stays() -> None:
    text = "git+https://127.0.0.1/o/r.git@v1.0#egg=r&subdirectory=pkg"
    assert redact(text) == text
    assert (
        redact("https://127.0.0.1/f-1.0.whl#sha256=00ff")
        == "https://127.0.0.1/f-1.0.whl#sha256=00ff"
    )
    assert redact("no URL here ?token=1") == "no URL here ?token=1"
    assert redact("uv.lock:3: git https://127.0.0.1/r.git?rev=v1#abc") == (
        "uv.lock:3: git https://127.0.0.1/r.git?rev=v1#abc"
    )


def test_punctuation_after_a_quoted_url_stays_outside() -> None:
    assert redact(f"invalid 'x @ https://127.0.0.1/?token={SECRET}': bad") == (
        "invalid 'x @ https://127.0.0.1/?token=****': bad"
    )


def test_text_without_anything_to_change_is_returned_as_it_is() -> None:
    text = "numpy 2.4.6 is ready"
    assert redact(text) is text
    assert visible(text) is text


def test_control_characters_are_shown_as_escapes() -> None:
    assert visible("a\nb\r\tc") == "a\\nb\\r\\tc"
    assert visible("\x1b[31mred\x07") == "\\x1b[31mred\\x07"
    assert visible("\x9b2J \x7f") == "\\x9b2J \\x7f"
    assert visible("abc\u202edef\u2028") == "abc\\u202edef\\u2028"
    assert visible("café ✓ 数") == "café ✓ 数"


def test_safe_line_is_one_line_without_secrets() -> None:
    line = safe_line(f"x\n::error file=a.py::http://u:{SECRET}@127.0.0.1")
    assert "\n" not in line and SECRET not in line


def test_log_records_are_redacted() -> None:
    record = logging.LogRecord(
        "t",
        logging.WARNING,
        __file__,
        1,
        "crawl of %s failed: %s",
        ("six", f"http://u:{SECRET}@h/"),
        None,
    )
    assert redact_record(record)
    assert SECRET not in record.getMessage() and "crawl of six failed" in record.getMessage()
