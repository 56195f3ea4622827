"""The figures the prose of README.md and docs/*.md states about the shipped data,
each computed from that data by fttrack's own readers.

A :class:`Figure` is a pattern that finds a sentence of a page and, in its groups,
the figures it states (a project count, the default target, the file's size, a
table of counts), and a function that computes what they are now from
:class:`Facts`. ``tests/test_readme.py`` checks every figure against the data
(within a tolerance where the prose rounds: "about 95 KB"), and
``scripts/regenerate-doc-examples`` writes them again in place, so that a new
snapshot is one command away from docs that say what it holds.

Figures that are measurements (benchmark timings, a build round's throughput,
a re-probe's agreement) are dated facts, not the data's: they are not here.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from testkit.doc_examples import ROOT
from tracker.archive import Archive
from tracker.documents import ProjectSummary

__all__ = ["FIGURES", "Facts", "Figure", "Found", "check", "find", "rewrite", "rewritten"]

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _n(value: int) -> str:
    """A count as the prose writes it: ``5,000``."""
    return f"{value:,}"


def _and(items: Sequence[str]) -> str:
    """``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


class Facts:
    """What the shipped data holds, read once (lazily) with fttrack's own readers."""

    def __init__(self, snapshot: Path | None = None) -> None:
        from tracker.datafiles import snapshot_path

        self.snapshot = snapshot or snapshot_path()

    @cached_property
    def archive(self) -> Archive:
        return Archive(self.snapshot)

    @cached_property
    def summaries(self) -> list[ProjectSummary]:
        return list(self.archive.summaries())

    @property
    def projects(self) -> int:
        """How many projects the snapshot holds."""
        return len(self.summaries)

    @cached_property
    def targets(self) -> tuple[str, ...]:
        """Every target fttrack knows, oldest first (tracker/vocabulary.py)."""
        from tracker.vocabulary import TARGET_RECORDS

        return tuple(t.name for t in TARGET_RECORDS)

    @cached_property
    def default_target(self) -> str:
        """The target an audit judges without --target: the newest with probes."""
        from tracker.verdicts.choose import choose_target
        from tracker.verdicts.snapshot import SnapshotSource

        return choose_target(SnapshotSource(self.snapshot)).target

    @cached_property
    def generated(self) -> str:
        """When the snapshot was generated (ISO, UTC)."""
        assert self.archive.generated
        return self.archive.generated

    @property
    def size(self) -> int:
        """The snapshot file's size in bytes."""
        return self.snapshot.stat().st_size

    @cached_property
    def index(self) -> dict[str, object]:
        """The member index beside the snapshot, as JSON."""
        from tracker.archive import index_path_for

        loaded = json.loads(index_path_for(self.snapshot).read_text())
        assert isinstance(loaded, dict)
        return loaded

    @property
    def summaries_span(self) -> int:
        """The compressed length of the snapshot's summaries (its trailer member)."""
        return self.span("summaries")

    def span(self, member: str) -> int:
        """The compressed length of one of the snapshot's own members (``summaries``,
        ``changes``), from its index; 0 when it has none."""
        span = self.index.get(member)
        return int(span[1]) if isinstance(span, list) else 0

    def member(self, name: str) -> tuple[int, int | None]:
        """The decompressed length of ``name``'s member and of its head (None: no head)."""
        projects = self.index["projects"]
        assert isinstance(projects, dict)
        span = projects[name]
        with self.snapshot.open("rb") as handle:
            handle.seek(span[0])
            whole = len(gzip.decompress(handle.read(span[1])))
        return whole, (span[2] if len(span) > 2 else None)

    @cached_property
    def history(self) -> _History:
        """Counts over every release of every project (one pass over the documents)."""
        return _History.of(self.archive)

    @cached_property
    def feed(self) -> bytes:
        """The summary feed, as ``fttrack export`` writes ``feed.json`` (stamped with the
        data's own date)."""
        from tracker.documents import encode, summary_feed

        return encode(summary_feed(self.summaries, generated=self.generated))

    @property
    def feed_gzip(self) -> int:
        """The summary feed's gzip size, as ``fttrack export`` writes ``feed.json.gz``."""
        return len(gzip.compress(self.feed, mtime=0))

    @cached_property
    def status_counts(self) -> dict[str, dict[str, int]]:
        """Per target, how many current releases have each status (``/api/v1/status``)."""
        from tracker.documents import status_counts

        return status_counts(self.summaries)

    @cached_property
    def badge_files(self) -> int:
        """How many distinct SVG badges the static site writes (each once)."""
        from tracker.badge_render import every_badge

        return sum(len(every_badge(t)) for t in self.targets)

    @cached_property
    def status_lines(self) -> list[str]:
        """What ``fttrack status`` prints about the data (not the machine's lines)."""
        import tempfile

        from testkit.doc_examples import run

        with tempfile.TemporaryDirectory() as scratch:
            printed = run(f"fttrack status --snapshot {self.snapshot}", Path(scratch)).stdout
        lines = [line.rstrip() for line in printed.splitlines()]
        machine = [i for i, line in enumerate(lines) if line.startswith("interpreters:")]
        assert machine, f"fttrack status printed no interpreters line:\n{printed}"
        return lines[: machine[0]]

    @cached_property
    def changes_shown(self) -> int:
        """How many changes the TUI's changes screen lists at most."""
        from tui.screens.changes import SHOWN

        return SHOWN

    def data_lines(self, name: str) -> list[str]:
        """The non-blank, non-comment lines of ``data/NAME``."""
        from tracker.datafiles import data_file

        text = data_file(name).read_text()
        return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


@dataclass
class _History:
    """Counts over every release of the snapshot, per target."""

    releases: int
    #: (target, status) -> probed releases; the same for sdist builds alone.
    probed: Counter[tuple[str, str]]
    sdist_builds: Counter[tuple[str, str]]
    #: target -> interpreter versions the probes ran on.
    interpreters: dict[str, Counter[str]]
    #: change kind -> changes; target -> regressed changes; how many regressed to no-ft-wheel.
    changes: Counter[str]
    regressed: Counter[str]
    regressed_to_no_wheel: int
    #: claim flag -> projects whose current release raises it (as ``fttrack status``).
    claims: Counter[str]
    #: releases x targets with a stress result.
    stressed: int
    #: projects whose current release was built from its sdist (on any target).
    sdist_projects: int

    @classmethod
    def of(cls, archive: Archive) -> _History:
        from tracker.documents import project_changes
        from tracker.models import Evidence
        from tracker.probe.sdist import built_from_sdist

        history = cls(0, Counter(), Counter(), {}, Counter(), Counter(), 0, Counter(), 0, 0)
        for document in archive.documents():
            current = document.summary.version if document.summary else None
            from_sdist = False
            for release in document.releases:
                history.releases += 1
                for target, verdict in release.targets.items():
                    if verdict.stress is not None:
                        history.stressed += 1
                    if verdict.evidence is not Evidence.PROBE:
                        continue
                    key = (target, verdict.status.value)
                    history.probed[key] += 1
                    probe = verdict.probe
                    if probe is None:
                        continue
                    if probe.interpreter:
                        history.interpreters.setdefault(target, Counter())[probe.interpreter] += 1
                    if built_from_sdist(probe.detail):
                        history.sdist_builds[key] += 1
                        from_sdist = from_sdist or release.version == current
            history.sdist_projects += from_sdist
            found = project_changes(document)
            for change in found.changes:
                history.changes[change.kind.value] += 1
                if change.kind.value == "regressed":
                    history.regressed[change.target] += 1
                    history.regressed_to_no_wheel += change.status.value == "no-ft-wheel"
            history.claims.update(found.current_flags())
        return history

    def probed_on(self, target: str, status: str | None = None) -> int:
        """Probed releases on ``target`` (of ``status`` only, when given)."""
        return sum(n for (t, s), n in self.probed.items() if t == target and status in (None, s))

    def built_on(self, target: str, status: str | None = None) -> int:
        """Sdist builds on ``target`` (of ``status`` only, when given)."""
        found = self.sdist_builds.items()
        return sum(n for (t, s), n in found if t == target and status in (None, s))

    def interpreter(self, target: str) -> str:
        """The interpreter version most probes on ``target`` ran on."""
        return self.interpreters[target].most_common(1)[0][0]


#: One figure's groups, as the prose should state them, given the data and what the
#: prose states now (for figures whose spelling follows the prose's, like backticks).
Compute = Callable[[Facts, tuple[str, ...]], tuple[str, ...]]


@dataclass(frozen=True)
class Figure:
    """A sentence of a page and the figures in its groups."""

    #: The page (``README.md``, ``docs/snapshot.md``), or None: every page.
    page: str | None
    #: A regular expression (MULTILINE) whose groups are the figures; a space in it
    #: matches any run of white space, so a figure may be wrapped over two lines.
    pattern: str
    compute: Compute
    #: What the figures are, for a failing test's message.
    what: str
    #: Relative tolerance for figures the prose rounds (``about 95 KB``): 0 is exact.
    tolerance: float = 0.0
    #: Whether the sentence must be found (a page-wide figure may find none).
    required: bool = True

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern.replace(" ", r"\s+"), re.MULTILINE)


def _one(value: Callable[[Facts], str]) -> Compute:
    return lambda facts, shown: (value(facts),)


def _many(*values: Callable[[Facts], str]) -> Compute:
    return lambda facts, shown: tuple(value(facts) for value in values)


def _projects(facts: Facts) -> str:
    return _n(facts.projects)


def _mb(facts: Facts) -> str:
    return f"{facts.size / 1e6:.1f}"


def _kb(size: int) -> str:
    return f"{round(size / 1000)}"


def _target_list(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    """Every target, in the prose's own spelling (backticks, "and" or commas only)."""
    text = shown[0]
    quote = "`" if text.startswith("`") else ""
    names = [f"{quote}{t}{quote}" for t in facts.targets]
    return (_and(names) if re.search(r"\sand\s", text) else ", ".join(names),)


def _targets_word(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    return (_NUMBER_WORDS[len(facts.targets)],)


def _probed_table(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    """docs/snapshot.md's table of probed releases by status and target."""
    from tracker.vocabulary import Status, by_severity

    history = facts.history
    targets = [t for t in facts.targets if history.probed_on(t)]
    rows = [f"| | {' | '.join(targets)} |", "|---|" + "---|" * len(targets)]

    def row(label: str, counts: Sequence[int]) -> str:
        return f"| {label} | {' | '.join(_n(c) for c in counts)} |"

    for status in (Status.READY, *by_severity()):  # ready, then the worst first
        if status in (Status.READY, Status.PURE, Status.SDIST_ONLY) and len(rows) > 2:
            continue
        counts = [history.probed_on(t, status.value) for t in targets]
        if any(counts) or status in (Status.READY, Status.GIL_REENABLED):
            rows.append(row(f"`{status.value}`", counts))
    rows.append(
        row("`pure` (built from an sdist)", [history.probed_on(t, "pure") for t in targets])
    )
    rows.append(
        row(
            "`sdist-only` (the sdist did not build)",
            [history.probed_on(t, "sdist-only") for t in targets],
        )
    )
    rows.append(row("probed releases", [history.probed_on(t) for t in targets]))
    pythons = [f"CPython {history.interpreter(t)} (free-threaded build)" for t in targets]
    rows.append(f"| interpreter | {' | '.join(pythons)} |")
    return ("\n".join(rows),)


def _changes_table(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    """docs/api.md's table of the changes the shipped snapshot holds, by kind."""
    from tracker.vocabulary import CHANGE_RECORDS

    history = facts.history
    rows = ["| kind | changes |", "|---|---|"]
    for kind in CHANGE_RECORDS:
        count = _n(history.changes[kind.value])
        if kind.value == "regressed" and history.changes[kind.value]:
            every = history.regressed_to_no_wheel == history.changes[kind.value]
            to = "all of them" if every else _n(history.regressed_to_no_wheel)
            per = ", ".join(f"{_n(history.regressed[t])} on {t}" for t in facts.targets)
            count += f" ({to} to `no-ft-wheel`: {per})"
        rows.append(f"| `{kind.value}` | {count} |")
    return ("\n".join(rows),)


def _stressed(facts: Facts) -> str:
    n = facts.history.stressed
    return "no stress results yet" if n == 0 else f"{_n(n)} stress results"


def _built(status: str, target: str | None = None) -> Callable[[Facts], str]:
    """Sdist builds of ``status`` on ``target`` (default: the default target)."""
    return lambda f: _n(f.history.built_on(target or f.default_target, status))


def _index_head(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    index = facts.index
    return (str(index["size"]), str(index["generated"]))


def _index_spans(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    summaries = facts.index["summaries"]
    assert isinstance(summaries, list)
    return tuple(str(n) for n in summaries)


def _member_spans(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    projects = facts.index["projects"]
    assert isinstance(projects, dict)
    return tuple(",".join(str(n) for n in projects[name]) for name in ("a2a-sdk", "a2wsgi", "six"))


def _boto3(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    whole, head = facts.member("boto3")
    assert head is not None
    return (_kb(whole), _kb(head))


def _export_badges(facts: Facts) -> str:
    return str(facts.projects * len(facts.targets) + facts.badge_files)


def _status_block(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    return ("\n".join(facts.status_lines[1:]),)


def _legacy(facts: Facts, shown: tuple[str, ...]) -> tuple[str, ...]:
    lines = facts.data_lines("legacy-releases.txt")
    projects = {line.split()[0] for line in lines}
    return (_n(len(lines)), _n(len(projects)))


def _generated_words(facts: Facts) -> str:
    return facts.generated.replace("T", " ").removesuffix("Z")


def _first_ready_versions(facts: Facts) -> str:
    count = 0
    for summary in facts.summaries:
        count += sum(1 for t in summary.targets.values() if t.first_ready)
    return _n(count)


def _interpreters(facts: Facts) -> str:
    history = facts.history
    return _and([history.interpreter(t) for t in facts.targets if history.probed_on(t)])


def _probed(facts: Facts) -> str:
    return _n(sum(facts.history.probed.values()))


def _sdist_builds(facts: Facts) -> str:
    return _n(sum(facts.history.sdist_builds.values()))


def _regular_probes(facts: Facts) -> str:
    regular = sum(facts.history.probed.values()) - sum(facts.history.sdist_builds.values())
    return _n(round(regular, -1))


def _sdist_projects(facts: Facts) -> str:
    return _n(facts.history.sdist_projects)


def _built_with_modules(facts: Facts) -> str:
    history, target = facts.history, facts.default_target
    plain = history.built_on(target, "pure") + history.built_on(target, "sdist-only")
    return _n(history.built_on(target) - plain)


def _claim(flag: str) -> Callable[[Facts], str]:
    return lambda facts: _n(facts.history.claims[flag])


FIGURES: tuple[Figure, ...] = (
    # every page: lists of every target, "the three targets", the top N projects
    Figure(
        None,
        r"(?<![\w.`])(`?3\.\d+t`?(?:, `?3\.\d+t`?)+(?:,? and `?3\.\d+t`?)?)(?![\w`])",
        _target_list,
        "a list of every target (tracker/vocabulary.py)",
        required=False,
    ),
    Figure(
        None,
        r"\b(two|three|four|five) targets\b",
        _targets_word,
        "how many targets",
        required=False,
    ),
    Figure(
        None,
        r"\b[Tt]op ([\d,]+) (?:PyPI )?projects",
        _one(_projects),
        "the snapshot's project count",
        required=False,
    ),
    # README.md
    Figure(
        "README.md",
        r"the newest target that has probes \((3\.\d+t) today\)",
        _one(lambda f: f.default_target),
        "the default target",
    ),
    Figure(
        "README.md",
        r"\(`data/snapshot\.json\.gz`, ([\d.]+) MB\)",
        _one(_mb),
        "the snapshot's size",
        tolerance=0.05,
    ),
    Figure(
        "README.md",
        r"the ([\d,]+) most downloaded projects, every release classified by tags; ([\d,]+)"
        r" probed releases",
        _many(_projects, _probed),
        "projects, probed releases",
    ),
    Figure(
        "README.md",
        r"and the ([\d,]+) current releases that ship only an sdist, built in the sandbox"
        r" \(([\d,]+) of them pure\)",
        _many(_sdist_projects, _built("pure")),
        "sdist-only current releases, those pure on the default target",
    ),
    Figure("README.md", r"Complete for all ([\d,]+) on the", _one(_projects), "projects"),
    # docs/snapshot.md
    Figure(
        "docs/snapshot.md",
        r"The snapshot shipped now was generated (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC",
        _one(_generated_words),
        "when the snapshot was generated",
    ),
    Figure("docs/snapshot.md", r"^- \*\*([\d,]+) projects\*\*", _one(_projects), "projects"),
    Figure(
        "docs/snapshot.md",
        r"\(`data/top-pypi-packages\.txt`: ([\d,]+) project names",
        _one(lambda f: _n(len(f.data_lines("top-pypi-packages.txt")))),
        "the names of the download ranking",
    ),
    Figure(
        "docs/snapshot.md",
        r"\*\*([\d,]+) releases\*\*: the tags of every file of every version, classified per"
        r" target and platform \(([\d.]+) MB\)",
        lambda f, shown: (_n(f.history.releases), _mb(f)),
        "releases, the snapshot's size",
        tolerance=0.05,
    ),
    Figure(
        "docs/snapshot.md",
        r"\(([\d,]+) probed releases, ([\d,]+) of them builds of an sdist, every one in the"
        r" `bwrap` sandbox, on CPython ([\w.]+(?:, [\w.]+)*,? and [\w.]+)\)",
        _many(_probed, _sdist_builds, _interpreters),
        "probed releases, sdist builds, the interpreters",
    ),
    Figure(
        "docs/snapshot.md",
        r"What this round completes\*\*: all ([\d,]+) projects",
        _one(_projects),
        "projects",
    ),
    Figure(
        "docs/snapshot.md",
        r"each of the ([\d,]+) first ready versions",
        _one(_first_ready_versions),
        "first ready versions over the targets",
    ),
    Figure(
        "docs/snapshot.md",
        r"Releases that ship only an sdist\*\*: the ([\d,]+) projects \(of the ([\d,]+)\)",
        _many(_sdist_projects, _projects),
        "sdist-only current releases, projects",
    ),
    Figure(
        "docs/snapshot.md",
        r"on each target \(\d{4}-\d\d-\d\d, ([\d,]+) builds",
        _one(_sdist_builds),
        "sdist builds",
    ),
    Figure(
        "docs/snapshot.md",
        r"seeded from these ([\d,]+) projects",
        _one(_sdist_projects),
        "sdist-only current releases",
    ),
    Figure(
        "docs/snapshot.md",
        r"([\d,]+) are `pure` on a probe on 3\.14t and 3\.15t .*?; ([\d,]+) on 3\.13t\);"
        r" ([\d,]+) have extension modules",
        _many(_built("pure", "3.15t"), _built("pure", "3.13t"), _built_with_modules),
        "sdist builds: pure, pure on 3.13t, with extension modules",
    ),
    Figure(
        "docs/snapshot.md",
        r"([\d,]+) did not build on 3\.14t and 3\.15t \(([\d,]+) on 3\.13t\)",
        _many(_built("sdist-only", "3.15t"), _built("sdist-only", "3.13t")),
        "sdist builds that failed",
    ),
    Figure(
        "docs/snapshot.md",
        r"^(\| \| 3\.\d+t[^\n]*\n(?:[^\n]*\n)*?\| interpreter \|[^\n]*\|)$",
        _probed_table,
        "the table of probed releases by status",
    ),
    Figure(
        "docs/snapshot.md",
        r"then about ([\d,]+) probes at",
        _one(_regular_probes),
        "probes of a build from scratch (not sdist builds)",
        tolerance=0.05,
    ),
    Figure(
        "docs/snapshot.md",
        r"The shipped file is ([\d.]+) MB",
        _one(_mb),
        "the snapshot's size",
        tolerance=0.05,
    ),
    Figure(
        "docs/snapshot.md",
        r"The shipped file is [\d.]+ MB \(([\d,]+) bytes",
        _one(lambda f: _n(f.size)),
        "the snapshot's size in bytes",
        required=False,
    ),
    Figure(
        "docs/snapshot.md",
        r"(?:read that member \(|the changes \()(\d+) KB",
        _one(lambda f: _kb(f.span("changes"))),
        "the changes member's compressed size",
        tolerance=0.1,
        required=False,
    ),
    Figure(
        "docs/snapshot.md",
        r'^\{"schema":2,"size":(\d+),"generated":"([^"]+)",',
        _index_head,
        "the index's size and date",
    ),
    Figure(
        "docs/snapshot.md", r'^ "summaries":\[(\d+),(\d+)\],', _index_spans, "the summaries' span"
    ),
    Figure(
        "docs/snapshot.md",
        r'"a2a-sdk":\[([\d,]+)\],"a2wsgi":\[([\d,]+)\],…,"six":\[([\d,]+)\]',
        _member_spans,
        "members' spans",
    ),
    Figure(
        "docs/snapshot.md",
        r"the summaries \((\d+) KB compressed",
        _one(lambda f: _kb(f.summaries_span)),
        "the summaries' compressed size",
        tolerance=0.1,
    ),
    Figure(
        "docs/snapshot.md",
        r"boto3's member decompresses to (\d+) KB, its head to (\d+) KB",
        _boto3,
        "boto3's member and head",
        tolerance=0.1,
    ),
    Figure(
        "docs/snapshot.md",
        r"\(([\d,]+) releases of ([\d,]+) projects that only a legacy",
        _legacy,
        "data/legacy-releases.txt",
    ),
    # docs/api.md
    Figure(
        "docs/api.md",
        r"For the ([\d,]+) projects of the shipped snapshot it is about (\d+) KB gzip-compressed",
        lambda f, shown: (_projects(f), _kb(f.feed_gzip)),
        "projects, the summary feed's gzip size",
        tolerance=0.1,
    ),
    Figure(
        "docs/api.md",
        r'^\{"generated":"([^"]+)","projects":(\d+),"targets":\{"(3\.\d+t)":(\{[^}]*\})',
        lambda f, shown: (
            f.generated,
            str(f.projects),
            f.targets[0],
            json.dumps(f.status_counts[f.targets[0]], separators=(",", ":")),
        ),
        "/api/v1/status on the shipped snapshot: its date, projects, the first target's counts",
    ),
    Figure(
        "docs/api.md",
        r"feed\.json \| head -c 300\n(\{[^\n]*?)…$",
        lambda f, shown: (f.feed.decode()[: len(shown[0])],),
        "the summary feed's first bytes",
    ),
    Figure(
        "docs/api.md",
        r"The shipped snapshot \(([\d,]+) projects\) holds these changes",
        _one(_projects),
        "projects",
    ),
    Figure(
        "docs/api.md",
        r"^(\| kind \| changes \|\n(?:\|[^\n]*\|\n)*\|[^\n]*\|)$",
        _changes_table,
        "the changes by kind",
    ),
    Figure(
        "docs/api.md",
        r"and (no stress results yet|[\d,]+ stress results)",
        _one(_stressed),
        "stress results",
    ),
    Figure(
        "docs/api.md",
        r"\(shipped snapshot: ([\d,]+) `classifier-overclaims`, ([\d,]+) `wheel-undeclared`,"
        r" ([\d,]+) `classifier-missing`\)",
        _many(
            _claim("classifier-overclaims"),
            _claim("wheel-undeclared"),
            _claim("classifier-missing"),
        ),
        "claim mismatches on current releases",
    ),
    Figure(
        "docs/api.md",
        r"exporting the snapshot data/snapshot\.json\.gz \((\d+) projects\) as it is",
        _one(lambda f: str(f.projects)),
        "projects",
    ),
    Figure(
        "docs/api.md",
        r"^wrote (\d+) projects and (\d+) badges to",
        _many(lambda f: str(f.projects), _export_badges),
        "projects, badge files",
    ),
    Figure(
        "docs/api.md",
        r"`badges/3\.14t/likely-ready\.svg`, …\): (\d+) files",
        _one(lambda f: str(f.badge_files)),
        "distinct SVG badges",
    ),
    Figure(
        "docs/api.md", r"for the shipped snapshot's ([\d,]+) projects", _one(_projects), "projects"
    ),
    # docs/audit-inputs.md
    Figure(
        "docs/audit-inputs.md",
        r"\(the shipped one is (\d+) MB;",
        _one(lambda f: str(round(f.size / 1e6))),
        "the snapshot's size",
        tolerance=0.1,
    ),
    Figure(
        "docs/audit-inputs.md",
        r"the summary feed of ([\d,]+) projects",
        _one(_projects),
        "projects",
    ),
    # docs/service.md
    Figure(
        "docs/service.md",
        r"about a minute and a half for ([\d,]+) projects",
        _one(_projects),
        "projects",
    ),
    Figure(
        "docs/service.md",
        r"^\$ fttrack status\nsource: [^\n]*\n((?:[^\n]*\n)*?)interpreters:",
        lambda f, shown: ("\n".join(f.status_lines[1:]) + "\n",),
        "what fttrack status prints about the data",
    ),
    # docs/tui.md
    Figure(
        "docs/tui.md",
        r"first \(the newest ([\d,]+); the line above",
        _one(lambda f: _n(f.changes_shown)),
        "changes the TUI lists",
    ),
    Figure("docs/tui.md", r"on the shipped ([\d,]+) projects", _one(_projects), "projects"),
)


@dataclass(frozen=True)
class Found:
    """One figure as a page states it, and as it should."""

    figure: Figure
    page: Path
    span: tuple[int, int]
    shown: str
    expected: str

    def exact(self) -> bool:
        """Whether the prose states the figure as it is written now (white space aside)."""
        return self.shown.split() == self.expected.split()

    def agrees(self) -> bool:
        """Whether the prose states the figure (within the figure's tolerance)."""
        shown, expected = " ".join(self.shown.split()), " ".join(self.expected.split())
        if shown == expected:
            return True
        tolerance = self.figure.tolerance
        if not tolerance:
            return False
        try:
            said, value = float(shown.replace(",", "")), float(expected.replace(",", ""))
        except ValueError:
            return False
        return abs(said - value) <= tolerance * max(abs(value), 1e-9)


def _pages(figure: Figure) -> list[Path]:
    from testkit.doc_examples import PAGES

    if figure.page is not None:
        return [ROOT / figure.page]
    return [p for p in PAGES if p.name != "benchmarks.md"]  # measurements, dated


def _read(page: Path) -> str:
    return page.read_text()


def find(
    facts: Facts, figures: Sequence[Figure] = FIGURES, read: Callable[[Path], str] = _read
) -> Iterator[Found | Figure]:
    """Every figure each page states (a :class:`Figure` itself when its sentence is gone);
    ``read(page)`` is the page's text (default: the file's)."""
    for figure in figures:
        matched = False
        for page in _pages(figure):
            text = read(page)
            for match in figure.regex.finditer(text):
                matched = True
                shown = match.groups()
                expected = figure.compute(facts, shown)
                assert len(expected) == len(shown), figure.what
                for i, (said, value) in enumerate(zip(shown, expected, strict=True)):
                    yield Found(figure, page, match.span(i + 1), said, value)
        if not matched and figure.required:
            yield figure


def check(facts: Facts) -> list[str]:
    """What the pages state that the data does not say (empty: every figure agrees)."""
    problems = []
    for found in find(facts):
        if isinstance(found, Figure):
            problems.append(f"{found.page}: no sentence matches {found.pattern!r} ({found.what})")
        elif not found.agrees():
            where = found.page.relative_to(ROOT)
            problems.append(
                f"{where}: {found.figure.what}: the page says {found.shown!r}, "
                f"the data {found.expected!r}"
            )
    return problems


def rewritten(facts: Facts, read: Callable[[Path], str] = _read) -> dict[Path, str]:
    """Each page whose figures are not all the data's (rounded ones too, though within
    their tolerance), with every figure written again: {page: its new text}."""
    edits: dict[Path, list[tuple[tuple[int, int], str]]] = {}
    for found in find(facts, read=read):
        if isinstance(found, Figure):
            raise SystemExit(f"{found.page}: no sentence matches {found.pattern!r}")
        if not found.exact():
            edits.setdefault(found.page, []).append((found.span, found.expected))
    pages = {}
    for page, changes in edits.items():
        text = read(page)
        for (start, end), value in sorted(changes, reverse=True):
            text = text[:start] + value + text[end:]
        pages[page] = text
    return pages


def rewrite(facts: Facts) -> list[Path]:
    """Write every figure that is not the data's again, in place; the pages changed."""
    pages = rewritten(facts)
    for page, text in pages.items():
        page.write_text(text)
    return sorted(pages)
