"""Credentials out of everything a source reports: dependencies and error messages.

A requirements file may carry ``pkg @ https://user:token@host/...`` or include a
file such as ``~/.git-credentials``; the audit report (markdown for a pull
request, JSON for CI) must not repeat them. Every text field of a dependency
(and of an error raised while reading) goes through :func:`tracker.redact.redact`,
the one redaction function of fttrack (see its docstring for what is masked).

>>> redact("pkg @ https://user:s3cret@host.example/p.whl")
'pkg @ https://****@host.example/p.whl'
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from msgspec.structs import replace

from tracker.audit.report import AuditEntry, AuditReport
from tracker.errors import InputError
from tracker.models import Dependency
from tracker.redact import MASK, redact

__all__ = ["MASK", "redact", "redact_chains", "redact_dependency", "redact_report", "redacted"]

#: The text fields of a dependency that may hold what the input said.
_TEXT_FIELDS = ("name", "specifier", "markers", "origin", "skipped_reason", "via", "direct_url")


def redact_chains(chains: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """``required_by`` chains with every link redacted (the same tuple when nothing changes)."""
    if not any("://" in link for chain in chains for link in chain):
        return chains
    return tuple(tuple(redact(link) for link in chain) for chain in chains)


def redact_dependency(dep: Dependency) -> Dependency:
    """``dep`` with every text field redacted (the same object when nothing changes)."""
    changes: dict[str, Any] = {}
    for field in _TEXT_FIELDS:
        value = getattr(dep, field)
        clean = redact(value)
        if clean != value:
            changes[field] = clean
    if dep.version is not None and redact(dep.version) != dep.version:
        changes["version"] = redact(dep.version)
    files = tuple(redact(f) for f in dep.files)
    if files != dep.files:
        changes["files"] = files
    chains = redact_chains(dep.required_by)
    if chains is not dep.required_by:
        changes["required_by"] = chains
    return replace(dep, **changes) if changes else dep


def redacted(dependencies: Iterator[Dependency]) -> Iterator[Dependency]:
    """Redact every dependency, and the message of an InputError raised while reading."""
    try:
        for dep in dependencies:
            yield redact_dependency(dep)
    except InputError as exc:
        where = f"{exc.path}:{exc.line}" if exc.line is not None else exc.path
        message = str(exc)
        message = message[len(where) + 2 :] if message.startswith(where + ": ") else message
        clean_message, clean_path = redact(message), redact(exc.path)
        if clean_message == message and clean_path == exc.path:
            raise
        raise InputError(clean_path, clean_message, line=exc.line) from None


_ENTRY_TEXT = ("name", "version", "specifier", "origin", "detail", "via", "inferred_from")
_SKIPPED_TEXT = ("name", "version", "origin", "reason")


def _redacted_struct(value: Any, fields: tuple[str, ...]) -> Any:
    """``value`` (a frozen struct) with ``fields`` redacted; the same object when clean."""
    changes: dict[str, Any] = {}
    for field in fields:
        text = getattr(value, field)
        if text is not None and "://" in text:
            changes[field] = redact(text)
    if isinstance(value, AuditEntry) and any(
        "://" in link for chain in value.required_by for link in chain
    ):
        changes["required_by"] = redact_chains(value.required_by)
    return replace(value, **changes) if changes else value


def redact_report(report: AuditReport) -> AuditReport:
    """``report`` with the credentials of every URL in its text masked
    (:func:`tracker.redact.redact`): the input's name, the source, every entry's and
    every skipped entry's text. The sources redact what they read already; this is
    the last look before a report reaches any output (the same object when clean)."""
    entries = tuple(_redacted_struct(e, _ENTRY_TEXT) for e in report.entries)
    skipped = tuple(_redacted_struct(s, _SKIPPED_TEXT) for s in report.skipped)
    clean_input, clean_source = redact(report.input), redact(report.source)
    if (
        clean_input is report.input
        and clean_source is report.source
        and all(a is b for a, b in zip(entries, report.entries, strict=True))
        and all(a is b for a, b in zip(skipped, report.skipped, strict=True))
    ):
        return report
    return replace(report, input=clean_input, source=clean_source, entries=entries, skipped=skipped)
