"""The environment an audit is for: marker evaluation on a target and platform.

>>> marker_applies('python_version >= "3.12"', "3.14t", "manylinux_x86_64")
True
>>> marker_applies('sys_platform == "win32"', "3.14t", "manylinux_x86_64")
False
"""

from __future__ import annotations

import functools
import re

__all__ = ["marker_applies", "marker_environment", "quick_marker"]


def marker_environment(target: str, platform: str) -> dict[str, str]:
    """PEP 508 marker variables for a free-threaded ``target`` on ``platform``."""
    version = target.removesuffix("t")
    if platform.startswith(("manylinux", "musllinux")):
        sys_platform, system, os_name = "linux", "Linux", "posix"
        machine = platform.split("_", 1)[1]
    elif platform.startswith("macosx"):
        sys_platform, system, os_name = "darwin", "Darwin", "posix"
        machine = platform.split("_", 1)[1]
    else:
        sys_platform, system, os_name = "win32", "Windows", "nt"
        machine = {"win_amd64": "AMD64", "win_arm64": "ARM64", "win32": "x86"}.get(platform, "")
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{version}.0",
        "os_name": os_name,
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": system,
        "platform_version": "",
        "python_full_version": f"{version}.0",
        "python_version": version,
        "sys_platform": sys_platform,
        "extra": "",
    }


@functools.lru_cache(maxsize=4096)  # a lock repeats its markers
def marker_applies(marker: str, target: str, platform: str, extra: str = "") -> bool:
    """Whether a requirement with ``marker`` is installed on ``target`` × ``platform``
    (with ``extra`` the extra being installed, for ``extra == "socks"``).

    Markers that cannot be evaluated (unknown variables) count as applying.
    """
    if not marker:
        return True
    environment = marker_environment(target, platform)
    environment["extra"] = extra
    applies = quick_marker(marker, environment)
    if applies is None:
        applies = _evaluate(marker, environment)
    return applies


def _evaluate(marker: str, environment: dict[str, str]) -> bool:
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison

    try:
        return bool(Marker(marker).evaluate(environment))
    except (InvalidMarker, UndefinedComparison, ValueError, KeyError, TypeError, RecursionError):
        return True  # RecursionError: nested too deeply to parse (inputs refuse such markers)


# The markers lockfiles write most (uv's resolution markers among them), evaluated
# without importing packaging.markers (it imports packaging.tags, and parses slowly):
# comparisons of a Python version with a plain release number, and equality of the
# platform variables, joined with and / or and parentheses. Anything else is None:
# packaging.markers evaluates it.
_TOKEN = re.compile(
    r"""\s*(?:(?P<open>\()|(?P<close>\))|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)"""
    r"""|(?P<string>'[^'"]*'|"[^'"]*")|(?P<op>===|==|!=|<=|>=|~=|<|>))"""
)
_VERSION_VARIABLES = frozenset({"python_version", "python_full_version"})
_STRING_VARIABLES = frozenset(
    {
        "sys_platform",
        "platform_machine",
        "platform_system",
        "os_name",
        "implementation_name",
        "platform_python_implementation",
    }
)
_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_VERSION_OPS = frozenset({"==", "!=", "<", "<=", ">", ">="})


def _compare_release(have: str, op: str, wanted: str) -> bool | None:
    """``have op wanted`` as packaging's Specifier compares a final release with a plain
    release number (``3.14.0 >= 3.11.5``, ``3.14 == 3.14.*``); None for anything else."""
    if not _RELEASE.fullmatch(have) or op not in _VERSION_OPS:
        return None
    left = [int(part) for part in have.split(".")]
    if wanted.endswith(".*") and op in ("==", "!="):
        if not _RELEASE.fullmatch(wanted[:-2]):
            return None
        prefix = [int(part) for part in wanted[:-2].split(".")]
        padded = left + [0] * (len(prefix) - len(left))
        return (padded[: len(prefix)] == prefix) == (op == "==")
    if not _RELEASE.fullmatch(wanted):
        return None
    right = [int(part) for part in wanted.split(".")]
    size = max(len(left), len(right))
    left += [0] * (size - len(left))
    right += [0] * (size - len(right))
    return {
        "==": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


def quick_marker(marker: str, environment: dict[str, str]) -> bool | None:
    """Whether ``marker`` holds in ``environment``, for the common markers (see above);
    None when packaging.markers has to say.

    >>> env = marker_environment("3.14t", "manylinux_x86_64")
    >>> quick_marker("python_full_version >= '3.12' and sys_platform != 'win32'", env)
    True
    >>> quick_marker("python_full_version == '3.13.*' or (os_name == 'nt')", env)
    False
    >>> quick_marker("'dev' in dependency_groups", env) is None
    True
    """
    tokens: list[tuple[str, str]] = []
    position = 0
    end = len(marker.rstrip())
    while position < end:
        match = _TOKEN.match(marker, position)
        if match is None or match.lastgroup is None:
            return None
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    parser = _MarkerParser(tokens, environment)
    try:
        value = parser.disjunction()
    except (_Unsupported, RecursionError):  # RecursionError: left to packaging's own limit
        return None
    return value if parser.index == len(tokens) else None


class _Unsupported(Exception):
    """A marker :func:`quick_marker` leaves to packaging.markers."""


class _MarkerParser:
    """``or`` of ``and`` of comparisons or parenthesised groups, evaluated as parsed."""

    def __init__(self, tokens: list[tuple[str, str]], environment: dict[str, str]) -> None:
        self.tokens = tokens
        self.environment = environment
        self.index = 0

    def _next(self) -> tuple[str, str]:
        if self.index >= len(self.tokens):
            raise _Unsupported
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _peek_word(self, word: str) -> bool:
        return self.index < len(self.tokens) and self.tokens[self.index] == ("word", word)

    def disjunction(self) -> bool:
        value = self.conjunction()
        while self._peek_word("or"):
            self.index += 1
            value = self.conjunction() or value
        return value

    def conjunction(self) -> bool:
        value = self.atom()
        while self._peek_word("and"):
            self.index += 1
            value = self.atom() and value
        return value

    def atom(self) -> bool:
        kind, text = self._next()
        if kind == "open":
            value = self.disjunction()
            if self._next()[0] != "close":
                raise _Unsupported
            return value
        op_kind, op = self._next()
        value_kind, quoted = self._next()
        if kind != "word" or op_kind != "op" or value_kind != "string":
            raise _Unsupported
        wanted = quoted[1:-1]
        if text in _VERSION_VARIABLES:
            result = _compare_release(self.environment[text], op, wanted)
        elif text in _STRING_VARIABLES and op in ("==", "!="):
            result = (self.environment[text] == wanted) == (op == "==")
        else:
            result = None
        if result is None:
            raise _Unsupported
        return result
