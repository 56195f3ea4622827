"""Credentials and control characters out of everything fttrack writes.

Every value read from a user's input (a requirement line, a lockfile field, a
``--server`` or index URL) or from a remote answer may reach a report, an error
message, a log line or an API answer. Two functions make such text safe, and
every output path calls them (the audit's sources and reports, the formats, the
CLI's error and note lines, the remote verdict source, the ``--resolve`` runner,
the API's error answers and the service's logs):

- :func:`redact` replaces the credentials of every URL in a text with ``****``.
  Each URL (``scheme://...`` up to the next whitespace) is split as a URL: its
  user-info (everything between ``//`` and the last ``@`` before the path, user
  name included: some hosts take the token as the user name) is masked, and so is
  the value of every query or fragment parameter whose key is not one known to
  be harmless (``egg``, ``subdirectory``, ``rev``, hash names...), and every query
  part that is no ``key=value`` pair. A password holding ``'``, ``"``, ``<``,
  ``#``, ``?`` or ``@`` is masked whole.
- :func:`visible` shows control characters (C0, DEL, C1, line and paragraph
  separators, bidirectional overrides) as escapes (``\\x1b``, ``\\n``,
  ``\\u202e``): nothing from input moves a terminal's cursor, colours it, starts a
  new line of a CI log (where a line may be a workflow command) or reorders text.

:func:`safe_line` is both, for one line of output. Both functions return their
argument itself when there is nothing to change, and decide that with one
substring test or one ``str.isprintable`` call (a 500-row report pays almost
nothing).

>>> redact("pkg @ https://user:s3cret@host.example/p.whl")
'pkg @ https://****@host.example/p.whl'
>>> redact("git+https://ghp_token@host.example/o/r.git@v1#egg=r")
'git+https://****@host.example/o/r.git@v1#egg=r'
>>> redact("https://host.example/f.whl?X-Amz-Signature=abc&sha256=00#token=t")
'https://host.example/f.whl?X-Amz-Signature=****&sha256=00#token=****'
>>> redact("http://u:pa'ss\\"<x@host.example/")
'http://****@host.example/'
>>> redact("https://127.0.0.1:9?v=1&token=@Zq9 and https://u:p?ss@host.example/a?k=1")
'https://****@**** and https://****@****/a?k=****'
>>> visible("six\\n::error::pwned \\x1b[31m")
'six\\\\n::error::pwned \\\\x1b[31m'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ["MASK", "SAFE_PARAMETERS", "redact", "redact_record", "safe_line", "visible"]

#: What replaces a secret.
MASK = "****"

#: Query and fragment parameters whose values are kept (they name a file, a
#: revision or a hash, never a secret); every other parameter's value is masked.
SAFE_PARAMETERS = frozenset(
    {
        "egg",
        "subdirectory",
        "rev",
        "tag",
        "branch",
        "ref",
        "commit",
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "blake2b",
    }
)

# Where a URL starts: a scheme (not preceded by a scheme character) and "://"; it ends
# at whitespace (a line's words are never one URL). Compiled (and cached by re) on
# first use: most text holds no URL.
_URL_START = r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://"
_URL_END = r"\s"

# Control characters that are not Cc but still reorder or break lines.
_FORMAT_CONTROLS = frozenset(
    "\u2028\u2029\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)
_TRAILING = "'\"`,.:;)>]}"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``****``."""
    if "://" not in text:
        return text
    pieces: list[str] = []
    position = 0
    end_pattern = re.compile(_URL_END)
    for start in re.finditer(_URL_START, text):
        if start.start() < position:
            continue  # inside the URL before
        end_match = end_pattern.search(text, start.end())
        end = end_match.start() if end_match else len(text)
        url = text[start.start() : end]
        # Punctuation after a quoted URL ('...': or <...>,) stays outside (a few marks
        # at most: what a masked value would swallow otherwise).
        trail = len(url) - len(url.rstrip(_TRAILING))
        if 0 < trail <= 3 and len(url) - trail > len(start.group()):
            url, end = url[:-trail], end - trail
        pieces += [text[position : start.start()], _redact_url(url)]
        position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


def _redact_url(url: str) -> str:
    """One URL (no whitespace in it) with its user-info and secret parameters masked."""
    from urllib.parse import urlsplit

    scheme, _, rest = url.partition("://")
    # The authority runs to the first "/": the user-info to the last "@" before it,
    # whatever it holds ("#", "?", quotes: a password is not always percent-encoded).
    slash = rest.find("/")
    authority = rest if slash < 0 else rest[:slash]
    at = authority.rfind("@")
    userinfo = f"{MASK}@" if at >= 0 else ""
    if at >= 0 and ("?" in authority[:at] or "#" in authority[:at]):
        # "host?token=@secret" or "user:pa?ss@host": which "@" ends the user-info is
        # not knowable, so what follows it is masked too, up to the path.
        return f"{scheme}://{MASK}@{MASK}" + (_redact_url(f"x://h{rest[slash:]}")[5:]
                                              if slash >= 0 else "")  # fmt: skip
    rest = rest[at + 1 :]
    try:
        parts = urlsplit(f"//{rest}")
    except ValueError:  # an unclosed "[" of an IPv6 host: keep the host, mask what follows
        cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=-1)
        return f"{scheme}://{userinfo}{rest if cut < 0 else rest[:cut] + '?' + MASK}"
    head = parts.netloc + parts.path
    query = parts.query if "?" in rest.partition("#")[0] else None
    fragment = parts.fragment if "#" in rest else None
    out = f"{scheme}://{userinfo}{head}"
    if query is not None:
        out += "?" + _parameters(query, bare_is_secret=True)
    if fragment is not None:  # a bare fragment (a commit, an anchor) is kept alone only
        out += "#" + _parameters(fragment, bare_is_secret="=" in fragment)
    return out


def _parameters(text: str, *, bare_is_secret: bool) -> str:
    """``key=value`` pairs (``&`` or ``;`` between them) with unsafe values masked; a part
    without ``=`` is masked when ``bare_is_secret`` (in a query, or in a fragment that
    holds parameters) and kept otherwise (a fragment that is a commit hash or an anchor)."""
    from urllib.parse import unquote

    if not text:
        return text
    out = []
    for part in re.split(r"([&;])", text):
        if part in ("&", ";") or not part:
            out.append(part)
            continue
        key, equals, value = part.partition("=")
        if not equals:
            out.append(MASK if bare_is_secret else part)
        elif unquote(key).strip().lower() in SAFE_PARAMETERS:
            out.append(part)
        else:
            out.append(f"{key}={MASK}" if value else part)
    return "".join(out)


def visible(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\n``, ``\\x1b``, ``\\u202e``).

    Printable text, spaces included, is returned as it is; a backslash is not
    doubled (the escapes are for a reader, not for a parser).
    """
    if text.isprintable():
        return text
    import unicodedata

    out = []
    for char in text:
        if char in _NAMED:
            out.append(_NAMED[char])
        elif unicodedata.category(char) == "Cc" or char in _FORMAT_CONTROLS:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def safe_line(text: str) -> str:
    """``text`` redacted and its control characters shown: one line of output, whatever
    it quotes (an error message, a note, a log line)."""
    return visible(redact(text))


def redact_record(record: logging.LogRecord) -> bool:
    """A logging filter (``handler.addFilter(redact_record)``): the record's message is
    rendered once, redacted and its control characters shown; always keeps the record."""
    message = record.getMessage()
    clean = safe_line(message)
    if clean != message:
        record.msg, record.args = clean, None
    return True
