"""Credentials out of everything a source reports: dependencies and error messages.

A requirements file may carry ``pkg @ https://user:token@host/...`` or include a
file such as ``~/.git-credentials``; the audit report (markdown for a pull
request, JSON for CI) must not repeat them. As pip does, the user-info part of
every URL is replaced with ``****``, here all of it (pip keeps a user name
beside a password; some hosts take the token as the user name), and the values
of query parameters that usually hold secrets are replaced too.

>>> redact("pkg @ https://user:s3cret@host.example/p.whl")
'pkg @ https://****@host.example/p.whl'
>>> redact("git+https://ghp_token@host.example/o/r.git#egg=r")
'git+https://****@host.example/o/r.git#egg=r'
>>> redact("https://host.example/f.whl?X-Amz-Signature=abc&v=1")
'https://host.example/f.whl?X-Amz-Signature=****&v=1'
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from msgspec.structs import replace

from tracker.errors import InputError
from tracker.models import Dependency

__all__ = ["MASK", "redact", "redact_dependency", "redacted"]

#: What replaces a secret.
MASK = "****"

# Patterns compiled (and cached by re) on first use: most inputs never need them.
# scheme://userinfo@ : the user-info runs to the last '@' before the host's end.
_USERINFO = r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s\"'<>]*@"
_SECRET_QUERY = (
    r"(?i)([?&;](?:[a-z0-9_-]*(?:token|secret|passw(?:or)?d|pwd|api[_-]?key|apikey|signature"
    r"|credential|auth)[a-z0-9_-]*|key|sig)=)[^&#\s\"'<>]*"
)


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``****``."""
    if "@" in text and "://" in text:
        text = re.sub(_USERINFO, lambda m: f"{m.group(1)}{MASK}@", text)
    if "=" in text and ("?" in text or "&" in text or ";" in text):
        text = re.sub(_SECRET_QUERY, lambda m: f"{m.group(1)}{MASK}", text)
    return text


def redact_dependency(dep: Dependency) -> Dependency:
    """``dep`` with every text field redacted (the same object when nothing changes)."""
    changes = {}
    for field in ("name", "specifier", "markers", "origin", "skipped_reason"):
        value = getattr(dep, field)
        clean = redact(value)
        if clean != value:
            changes[field] = clean
    if dep.version is not None and redact(dep.version) != dep.version:
        changes["version"] = redact(dep.version)
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
