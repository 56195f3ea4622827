"""Property: a credential in any position of any input never reaches any output.

A generated secret (a distinctive core between characters that broke the old
pattern: quotes, ``<``, ``#``, ``@``...) is put in one credential position of a URL
(user name, password, a query parameter, a fragment parameter), the URL in one
input position (a requirement line, an editable line, a line that does not parse,
a Pipfile.lock source, a pyproject.toml dependency, a uv.lock source, ``--server``),
and the audit run in one format: the core appears neither on standard output nor
on standard error, report or error.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker.formats import FORMAT_NAMES

from .helpers import run_cli

#: Characters a password may hold without percent-encoding in practice ("/" and
#: whitespace end a URL's authority or the URL itself, and are left out).
_USERINFO_MARKS = "'\"<>#?@:;!$&*()[]{}|~^,=+%`"
#: In a query or fragment value, "&", ";" and "#" end the value (the URL says so).
_VALUE_MARKS = "'\"<>?@:!$*()[]{}|~^,+%`/"

_KEYS = (
    "token",
    "access_key",
    "private-key",
    "jwt",
    "pass",
    "password",
    "X-Amz-Signature",
    "api_key",
    "sig",
    "secret",
    "auth",
    "session",
)

cores = st.text(string.ascii_letters + string.digits, min_size=10, max_size=16).map(
    lambda s: "Zq9" + s
)


@st.composite
def secrets(draw: st.DrawFn, marks: str) -> tuple[str, str]:
    """(the secret, its core: what must never be seen)."""
    core = draw(cores)
    before = draw(st.text(marks, max_size=3))
    after = draw(st.text(marks, max_size=3))
    return before + core + after, core


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str]:
    """(a URL holding a secret, the secret's core)."""
    position = draw(st.sampled_from(["user", "password", "query", "fragment"]))
    host = "127.0.0.1:9"
    path = "/pkg/foo-1.0.tar.gz"
    if position in ("user", "password"):
        secret, core = draw(secrets(_USERINFO_MARKS))
        info = f"{secret}@" if position == "user" else f"alice:{secret}@"
        return f"https://{info}{host}{path}", core
    secret, core = draw(secrets(_VALUE_MARKS))
    key = draw(st.sampled_from(_KEYS))
    if position == "query":
        return f"https://{host}{path}?v=1&{key}={secret}", core
    return f"https://{host}{path}#egg=foo&{key}={secret}", core


def _input(kind: str, url: str, folder: Path) -> list[str]:
    """Write an input holding ``url`` in ``folder``; the arguments that audit it."""
    if kind == "requirement":
        (folder / "requirements.txt").write_text(f"six==1.17.0\nfoo @ {url}\n")
    elif kind == "bare-url":
        (folder / "requirements.txt").write_text(f"{url}\n")
    elif kind == "editable":
        (folder / "requirements.txt").write_text(f"-e git+{url}\n")
    elif kind == "invalid-line":
        (folder / "requirements.txt").write_text(f"foo @ {url} not valid\n")
    elif kind == "pipfile":
        document = {"default": {"foo": {"git": url}, "bar": {"file": url}}}
        (folder / "Pipfile.lock").write_text(json.dumps(document))
        return [str(folder / "Pipfile.lock")]
    elif kind == "pyproject":
        (folder / "pyproject.toml").write_text(
            f"[project]\nname = 'a'\ndependencies = [{json.dumps('foo @ ' + url)}]\n"
        )
        return [str(folder / "pyproject.toml")]
    elif kind == "uvlock":
        (folder / "uv.lock").write_text(
            'version = 1\n[[package]]\nname = "foo"\nversion = "1.0"\n'
            f"source = {{ git = {json.dumps(url)} }}\n"
        )
        return [str(folder / "uv.lock")]
    elif kind == "server":
        (folder / "requirements.txt").write_text("six==1.17.0\n")
        server = url.replace("/pkg/foo-1.0.tar.gz", "")
        return [str(folder / "requirements.txt"), "--server", server]
    return [str(folder / "requirements.txt")]


_KINDS = (
    "requirement",
    "bare-url",
    "editable",
    "invalid-line",
    "pipfile",
    "pyproject",
    "uvlock",
    "server",
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    url=urls(),
    kind=st.sampled_from(_KINDS),
    fmt=st.sampled_from(FORMAT_NAMES),
    target=st.sampled_from(["3.14t", "all"]),
)
# an "@" in the query of a URL without a path: which "@" ends the user-info is unknowable
@example(url=("https://127.0.0.1:9/pkg/foo-1.0.tar.gz?v=1&token=@Zq90000000000",
              "Zq90000000000"), kind="server", fmt="table", target="3.14t")  # fmt: skip
def test_no_generated_secret_reaches_any_output(
    url: tuple[str, str], kind: str, fmt: str, target: str
) -> None:
    text, core = url
    with tempfile.TemporaryDirectory() as folder:
        argv = _input(kind, text, Path(folder))
        run = run_cli(["audit", *argv, "--format", fmt, "--target", target, "--all"])
    assert "Traceback" not in run.stderr
    assert core not in run.stdout, (kind, fmt, text, run.stdout)
    assert core not in run.stderr, (kind, fmt, text, run.stderr)
