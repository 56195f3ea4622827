"""Credentials never reach an error, a note, a log line or an API answer; input never
starts a line of its own on stderr (where GitHub Actions reads workflow commands too)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tracker.api.errors import describe, install_error_handlers
from tracker.config import resolve_index_url
from tracker.errors import SourceError
from tracker.verdicts.remote import RemoteSource

from .helpers import run_cli

SECRET = "S3cretPassw0rd"
DEAD = "127.0.0.1:9"  # the discard port: nothing listens, connections are refused


def _no_secret(text: str) -> None:
    assert SECRET not in text, text


@pytest.mark.parametrize(
    "server",
    [
        f"http://user:{SECRET}@{DEAD}",
        f"http://{DEAD}/?token={SECRET}",
        f"http://user:{SECRET}@{DEAD}/?access_key={SECRET}#jwt={SECRET}",
    ],
)
def test_server_credentials_are_not_in_the_cannot_reach_error(tmp_path: Path, server: str) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("six==1.17.0\n")
    run = run_cli(["audit", str(path), "--server", server])
    assert run.code == 2
    assert "cannot reach fttrack server http://" in run.stderr
    _no_secret(run.stdout + run.stderr)


def test_a_remote_source_names_its_server_without_credentials() -> None:
    source = RemoteSource(f"https://alice:{SECRET}@127.0.0.1/?token={SECRET}")
    try:
        assert source.describe() == "remote https://****@127.0.0.1/?token=****"
    finally:
        source.close()


@pytest.fixture()
def _fresh_index_url() -> Iterator[None]:
    resolve_index_url.cache_clear()
    yield
    resolve_index_url.cache_clear()


@pytest.mark.usefixtures("_fresh_index_url")
@pytest.mark.parametrize("variable", ["UV_INDEX_URL", "FTTRACK_INDEX_URL"])
def test_resolve_does_not_print_the_index_password(tmp_path: Path, variable: str) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("six\n")
    env = {
        "FTTRACK_INDEX_URL": "",
        "PIP_INDEX_URL": "",
        "UV_DEFAULT_INDEX": "",
        "UV_INDEX_URL": "",
        variable: f"http://user:{SECRET}@{DEAD}/simple/?token={SECRET}",
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "UV_HTTP_RETRIES": "0",
        "PIP_CONFIG_FILE": "/dev/null",
    }
    run = run_cli(["audit", str(path), "--resolve", "--target", "3.14t"], env=env)
    assert run.code == 2, run.stderr
    assert "--resolve" in run.stderr and "****@127.0.0.1:9" in run.stderr
    _no_secret(run.stdout + run.stderr)


def test_an_error_quoting_input_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    name = "numpy\n::error file=evil.py::pwned\x1b[2J"
    path.write_text(json.dumps({"default": {name: {"version": "==2.4.6"}}}))
    run = run_cli(["audit", str(path), "--format", "github"])
    assert run.code == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert "\x1b" not in run.stderr and "\\n::error" in run.stderr
    assert not any(line.startswith("::") for line in run.stderr.splitlines())


def test_api_errors_and_their_log_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/source")
    def source() -> None:
        raise SourceError(f"cannot reach http://user:{SECRET}@{DEAD}\n::error::x")

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError(f"http://{DEAD}/?token={SECRET}")

    client = TestClient(app, raise_server_exceptions=False)
    answer = client.get("/source")
    assert answer.status_code == 503
    _no_secret(answer.text)
    assert "\n" not in answer.json()["error"]
    assert client.get("/crash").status_code == 500
    _no_secret(caplog.text)
    _no_secret(describe(ValueError(f"http://u:{SECRET}@h/")))


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "github"])
def test_skipped_lines_of_a_file_outside_the_project_are_not_quoted(
    tmp_path: Path, fmt: str
) -> None:
    private = "PrivatePathPart"
    outside = tmp_path / "home" / "extra.txt"
    outside.parent.mkdir()
    outside.write_text(
        f"-e git+https://127.0.0.1/{private}/r.git#egg=egged\n"
        f"https://127.0.0.1/{private}/pkg-1.0.tar.gz\n"
        f"./{private}/local\n"
        f"foo @ https://127.0.0.1/{private}/foo.zip\n"
        f"bar @ https://127.0.0.1/{private}/bar-1.0-py3-none-any.whl\n"
    )
    project = tmp_path / "project"
    project.mkdir()
    path = project / "requirements.txt"
    path.write_text(f"six==1.17.0\n-r {outside}\n")
    run = run_cli(["audit", str(path), "--format", fmt, "--all"])
    assert run.code in (0, 1), run.stderr
    assert private not in run.stdout + run.stderr
    if fmt == "json":
        document = json.loads(run.stdout)
        assert {s["name"] for s in document["skipped"]} >= {"egged", "foo"}
        assert all("not shown" in s["reason"] for s in document["skipped"])
