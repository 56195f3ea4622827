"""Every format escapes what comes from the input for where it goes: no workflow
command in ``github``, no escape sequence reaching a terminal in ``table`` and
``markdown``, no HTML, link or code span opened by a value in a PR comment."""

from __future__ import annotations

import json
import re

import pytest

from tracker.audit.report import AuditEntry, AuditReport, MultiTargetReport, SkippedEntry
from tracker.formats import FORMAT_NAMES, get_multi_renderer, get_renderer
from tracker.models import Evidence, Status

INJECT = "\n::error file=evil.py::pwned\r\n"
ESCAPE = "\x1b[2J\x1b]0;title\x07\x9b31m\u202e"
HTML = "<img src=x onerror=alert(1)><script>x</script>"
MARKDOWN = "[click](http://127.0.0.1/) ![i](http://127.0.0.1/i.png) `code` | cell **b**"
HOSTILE = INJECT + ESCAPE + HTML + MARKDOWN


def _report(target: str = "3.14t") -> AuditReport:
    blocker = AuditEntry(
        name="evil" + HOSTILE,
        version="1.0" + HOSTILE,
        specifier="==1.0" + HOSTILE,
        origin="req" + HOSTILE + ".txt:3",
        status=Status.GIL_REENABLED,
        evidence=Evidence.PROBE,
        first_ready_version="2.0" + HOSTILE,
        detail="detail" + HOSTILE,
        required_by=(("parent" + HOSTILE, "project" + HOSTILE),),
    )
    unknown = AuditEntry(
        name="other",
        version=None,
        specifier=">=1" + HOSTILE,
        origin="req.txt:4",
        status=Status.UNKNOWN,
        evidence=Evidence.NONE,
        via="parent" + HOSTILE,
        detail="why" + HOSTILE,
    )
    skipped = SkippedEntry(
        name="skip" + HOSTILE,
        version=None,
        origin="req" + HOSTILE + ".txt:5",
        reason="not installed (marker: python_version == '" + HOSTILE + "')",
    )
    return AuditReport(
        input="req" + HOSTILE + ".txt",
        target=target,
        platform="manylinux_x86_64",
        source="snapshot" + HOSTILE,
        entries=(blocker, unknown),
        skipped=(skipped,),
    )


def _outputs(name: str) -> list[str]:
    multi = MultiTargetReport((_report("3.14t"), _report("3.15t")), "3.14t")
    texts = [get_renderer(name)(_report(), show_all=True), get_multi_renderer(name)(multi)]
    if name == "table":
        texts.append(get_renderer(name)(_report(), color=True, width=100))
        texts.append(get_multi_renderer(name)(multi, color=True, width=100))
    return texts


@pytest.mark.parametrize("name", ["table", "markdown", "github"])
def test_no_control_character_from_the_input_is_written(name: str) -> None:
    for text in _outputs(name):
        without_styles = re.sub(r"\x1b\[[0-9;]*m", "", text)  # rich's own colours
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", without_styles), name
        assert "::error file=evil.py" not in text.replace("\\n", "\n").splitlines()[0]


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_no_line_is_a_workflow_command_but_the_format_s_own(name: str) -> None:
    for text in _outputs(name):
        for line in text.splitlines():
            if line.startswith("::"):
                assert name == "github"
                level, _, _message = line[2:].partition("::")
                assert level.split(" ")[0] in ("error", "notice"), line
                keys = [p.split("=", 1)[0] for p in level.split(" ", 1)[1].split(",")]
                assert keys in (["file", "line", "title"], ["file", "title"], ["title"]), line


def test_github_writes_one_command_per_finding() -> None:
    text = get_renderer("github")(_report())
    lines = text.splitlines()
    assert len(lines) == 3  # the blocker, the unknown one, the summary
    assert all(line.startswith(("::error ", "::notice ")) for line in lines)
    props = lines[0].split("::")[1]
    assert props.count(",") == 2 and props.count("=") >= 3  # file, line, title only


def _outside_code_spans(text: str) -> str:
    """``text`` without its code spans (nothing in one is markdown or HTML)."""
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def test_markdown_opens_no_html_link_or_code_span_from_a_value() -> None:
    for whole in _outputs("markdown"):
        text = _outside_code_spans(whole)
        tags = re.findall(r"<(/?[a-z]+)", text)
        assert set(tags) <= {"details", "/details", "summary", "/summary", "sub", "/sub", "br"}
        assert "](http" not in text.replace("\\]", "")
        for line in text.splitlines():
            if line.startswith("| "):
                unescaped = re.sub(r"\\.", "", line)
                cells = unescaped.count("|")
                header = text.splitlines()[4]
                assert cells == re.sub(r"\\.", "", header).count("|"), line


def test_json_keeps_the_values_and_writes_no_raw_control_character() -> None:
    text = get_renderer("json")(_report())
    assert not re.search(r"[\x00-\x09\x0b-\x1f]", text)
    document = json.loads(text)
    assert document["dependencies"][0]["name"] == "evil" + HOSTILE
