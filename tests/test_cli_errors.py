"""Bad input gets one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CASES = [
    (["probe", "--wheel", "{tmp}/notes.txt", "--target", "3.14t"], "notes.txt: not a wheel"),
    (["probe", "numpy=>1", "--target", "3.14t"], "invalid requirement 'numpy=>1'"),
    (["probe", "--target", "3.14t"], "give either NAME[==VERSION] or --wheel PATH"),
    (["crawl", "numpy", "--db", "mysql://nowhere/x"], "unsupported database 'mysql'"),
    (["status", "--snapshot", "{tmp}/missing.json.gz"], "no snapshot at"),
    (["audit", "{tmp}/notes.txt", "--snapshot", "{tmp}/bad.json.gz"], "bad.json.gz: "),
    (["python", "install", "3.99t"], "unknown target '3.99t'"),
]


@pytest.mark.parametrize(("argv", "message"), CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_bad_input_is_one_line(argv: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("numpy==2.4.6\n")
    (tmp_path / "bad.json.gz").write_bytes(b"garbage")
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    completed = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert message in completed.stderr
    errors = [
        line for line in completed.stderr.splitlines() if line.startswith(("error:", "Error:"))
    ]
    assert len(errors) == 1


CONFIG_CASES = [
    ("api_token = 12345", {}, "[fttrack] api_token: expected a string, got an integer 12345"),
    ("api_token = true", {}, "[fttrack] api_token: expected a string, got a boolean True"),
    ('concurrency = "8"', {}, "[fttrack] concurrency: expected an integer, got a string '8'"),
    ("concurrency = 8.5", {}, "[fttrack] concurrency: expected an integer, got a number 8.5"),
    ("probe_timeout = [60]", {}, "[fttrack] probe_timeout: expected a number, got an array"),
    ("pythons = [3]", {}, "[fttrack] pythons: expected a string or an array of strings"),
    ('db = { url = "x" }', {}, "[fttrack] db: expected a string, got a table"),
    ("concurrency = 0", {}, "[fttrack] concurrency: expected a whole number above 0, got 0"),
    ("", {"FTTRACK_CONCURRENCY": "lots"}, "FTTRACK_CONCURRENCY: expected a whole number"),
    ("", {"FTTRACK_PROBE_TIMEOUT": "nan"}, "FTTRACK_PROBE_TIMEOUT: expected a number above 0"),
]


@pytest.mark.parametrize(
    ("setting", "env", "message"), CONFIG_CASES, ids=[c[2].split(":")[0] for c in CONFIG_CASES]
)
def test_a_setting_of_the_wrong_type_is_one_line_naming_file_and_key(
    setting: str, env: dict[str, str], message: str, tmp_path: Path
) -> None:
    """Type-checked at load: ``api_token = 12345`` used to load and fail every write later."""
    import os

    config = tmp_path / "config.toml"
    config.write_text(f"[fttrack]\n{setting}\n")
    completed = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "crawl", "numpy"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "FTTRACK_CONFIG": str(config), "FTTRACK_DB": f"sqlite:///{tmp_path}/x.db",
             "FTTRACK_INDEX_URL": "http://127.0.0.1:9/simple/", **env},
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert message in completed.stderr
    if not env:
        assert f"{config}: " in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1, completed.stderr


def test_a_well_typed_config_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text(
        '[fttrack]\napi_token = "12345"\nconcurrency = 3\nprobe_timeout = 30\n'
        'crawl_interval = 0.5\npythons = ["/opt/a", "/opt/b"]\n'
    )
    monkeypatch.setenv("FTTRACK_CONFIG", str(config))
    for key in ("API_TOKEN", "CONCURRENCY", "PROBE_TIMEOUT", "CRAWL_INTERVAL", "PYTHONS"):
        monkeypatch.delenv(f"FTTRACK_{key}", raising=False)
    settings = load_settings()
    assert settings.api_token == "12345" and settings.concurrency == 3
    assert settings.probe_timeout == 30.0 and settings.crawl_interval_minutes == 0.5
    assert settings.pythons == (Path("/opt/a"), Path("/opt/b"))
