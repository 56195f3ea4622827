"""``fttrack audit --resolve``: uv resolves against the loopback index of the test suite.

Real wheels (tests/wheelbuild.py) and a real sdist are served by
tests/indexserver.py; ``ftapp`` (not tracked) pulls in charset-normalizer 3.5.3,
which the verdict snapshot says re-enables the GIL on 3.14t.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.indexserver import IndexServer
from testkit.wheelbuild import build_pure_wheel
from tracker.audit.transitive import parse_compiled, uv_platform
from tracker.platforms import PLATFORMS

from .helpers import LOCKFILES, run_cli


def _sdist(name: str, version: str, requires: tuple[str, ...] = ()) -> bytes:
    """A source distribution with static metadata (PKG-INFO 2.2): resolvable, never built."""
    root = f"{name}-{version}"
    pkg_info = f"Metadata-Version: 2.2\nName: {name}\nVersion: {version}\n"
    pkg_info += "".join(f"Requires-Dist: {r}\n" for r in requires)
    pyproject = (
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\n'
        f"dependencies = {json.dumps(list(requires))}\n"
    )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, text in (("PKG-INFO", pkg_info), ("pyproject.toml", pyproject)):
            data = text.encode()
            info = tarfile.TarInfo(f"{root}/{member}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dest = tmp_path_factory.mktemp("resolve-wheels")
    wheels = [
        build_pure_wheel(dest, "ftapp", {"ftapp/__init__.py": ""},
                         requires=("charset-normalizer>=3", "idna")),
        build_pure_wheel(dest, "charset_normalizer", {"charset_normalizer/__init__.py": ""},
                         version="3.5.3"),
        build_pure_wheel(dest, "idna", {"idna/__init__.py": ""}, version="3.20"),
        build_pure_wheel(dest, "six", {"six.py": ""}, version="1.17.0"),
        build_pure_wheel(dest, "ftwin", {"ftwin/__init__.py": ""},
                         requires=('six; sys_platform == "win32"',)),
    ]  # fmt: skip
    with IndexServer() as server:
        for wheel in wheels:
            server.add_wheel_file(wheel)
        server.add_file("ftsdist", "ftsdist-1.0.tar.gz", _sdist("ftsdist", "1.0", ("six",)))
        yield server


@pytest.fixture()
def env(index: IndexServer, tmp_path: Path) -> dict[str, str]:
    return {
        "FTTRACK_INDEX_URL": index.index_url,
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "UV_HTTP_RETRIES": "0",
    }


def _audit(
    argv: list[str], env: dict[str, str], stdin: str | None = None
) -> tuple[int, dict[str, Any], str]:
    run = run_cli(
        ["audit", *argv, "--resolve", "--target", "3.14t", "--platform", "manylinux_x86_64",
         "--format", "json"],
        env=env,
        stdin=stdin,
    )  # fmt: skip
    assert "Traceback" not in run.stderr
    return run.code, (json.loads(run.stdout) if run.stdout else {}), run.stderr


def test_a_transitive_dependency_in_the_verdict_source_blocks_via_its_parent(
    tmp_path: Path, env: dict[str, str]
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("ftapp\nsix\n")
    code, document, stderr = _audit([str(requirements)], env)
    assert code == 1, stderr
    rows = {d["name"]: d for d in document["dependencies"]}
    assert set(rows) == {"ftapp", "charset-normalizer", "idna", "six"}
    charset = rows["charset-normalizer"]
    assert (charset["version"], charset["status"], charset["blocks"]) == (
        "3.5.3",
        "gil-reenabled",
        True,
    )
    assert charset["via"] == "ftapp"
    assert rows["idna"]["via"] == "ftapp"
    # Direct requirements keep their file and line, and no "via".
    assert rows["ftapp"]["via"] is None and rows["ftapp"]["origin"] == f"{requirements}:1"
    assert rows["six"]["origin"] == f"{requirements}:2" and rows["six"]["version"] == "1.17.0"
    assert rows["ftapp"]["status"] == "unknown"


def test_without_resolve_only_the_direct_requirements_are_judged(
    tmp_path: Path, env: dict[str, str]
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("ftapp\nsix\n")
    run = run_cli(["audit", str(requirements), "--target", "3.14t", "--format", "json"], env=env)
    assert run.code == 0
    assert [d["name"] for d in json.loads(run.stdout)["dependencies"]] == ["ftapp", "six"]


def test_table_marks_resolved_rows_via_their_parent(tmp_path: Path, env: dict[str, str]) -> None:
    requirements = tmp_path / "requirements.in"
    requirements.write_text("ftapp\n")
    run = run_cli(
        ["audit", str(requirements), "--resolve", "--target", "3.14t", "--platform",
         "manylinux_x86_64"],
        env=env,
    )  # fmt: skip
    assert run.code == 1
    line = next(x for x in run.stdout.splitlines() if x.lstrip("✗ ").startswith("charset"))
    assert line.rstrip().endswith("via ftapp")


def test_pyproject_is_resolved_with_its_groups(tmp_path: Path, env: dict[str, str]) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "demo"\nversion = "0.1"\ndependencies = ["six"]\n'
        '[dependency-groups]\ndev = ["ftapp"]\n'
    )
    code, document, stderr = _audit([str(pyproject)], env)
    assert code == 1, stderr
    rows = {d["name"]: d for d in document["dependencies"]}
    assert rows["charset-normalizer"]["via"] == "ftapp"
    assert rows["six"]["via"] is None


def test_standard_input_is_resolved(env: dict[str, str]) -> None:
    code, document, _ = _audit(["-"], env, stdin="ftapp\n")
    assert code == 1
    assert {d["name"] for d in document["dependencies"]} == {"ftapp", "charset-normalizer", "idna"}
    assert document["input"] == "<stdin>"


def test_markers_are_resolved_for_the_platform(tmp_path: Path, env: dict[str, str]) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("ftwin\n")
    _, linux, _ = _audit([str(requirements)], env)
    assert [d["name"] for d in linux["dependencies"]] == ["ftwin"]
    run = run_cli(
        ["audit", str(requirements), "--resolve", "--target", "3.14t", "--platform", "win_amd64",
         "--format", "json"],
        env=env,
    )  # fmt: skip
    rows = {d["name"]: d for d in json.loads(run.stdout)["dependencies"]}
    assert rows["six"]["via"] == "ftwin"


def test_sdist_only_requirement_falls_back_and_says_so(tmp_path: Path, env: dict[str, str]) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("ftsdist\n")
    code, document, stderr = _audit([str(requirements)], env)
    assert code == 0, stderr
    assert "ftsdist has no wheel for 3.14t manylinux_x86_64" in stderr
    assert "source distributions allowed" in stderr
    rows = {d["name"]: d for d in document["dependencies"]}
    assert rows["six"]["via"] == "ftsdist" and rows["ftsdist"]["version"] == "1.0"


def test_unresolvable_requirements_are_one_line_exit_2(tmp_path: Path, env: dict[str, str]) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("ftnowhere>=1\n")
    code, _, stderr = _audit([str(requirements)], env)
    assert code == 2
    assert stderr.count("\n") == 1
    assert f"{requirements}: --resolve:" in stderr and "ftnowhere" in stderr


def test_unreachable_index_is_one_line_exit_2(tmp_path: Path, env: dict[str, str]) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n")
    dead = {**env, "FTTRACK_INDEX_URL": "http://127.0.0.1:9/simple/"}
    code, _, stderr = _audit([str(requirements)], dead)
    assert code == 2
    assert stderr.count("\n") == 1
    assert "the index http://127.0.0.1:9/simple/ is unreachable" in stderr


def test_a_lockfile_is_not_resolved_again(env: dict[str, str]) -> None:
    code, _, stderr = _audit([str(LOCKFILES / "uv.lock")], env)
    assert code == 2
    assert "--resolve works on requirements files and pyproject.toml" in stderr


def test_resolve_needs_a_path() -> None:
    run = run_cli(["audit", "--resolve"])
    assert run.code == 2 and "--resolve needs a PATH" in run.stderr


def test_every_platform_maps_to_a_uv_platform() -> None:
    assert {p: uv_platform(p) for p in PLATFORMS}["win_amd64"] == "x86_64-pc-windows-msvc"
    assert uv_platform("manylinux_aarch64") == "aarch64-manylinux_2_28"


def test_parse_compiled_reads_multi_parent_and_url_lines() -> None:
    text = (
        "idna==3.20\n    # via\n    #   requests\n    #   yarl\n"
        "mylib @ file:///src/mylib\n    # via -r r.txt\n"
        "-e file:///src/app\n    # via -r r.txt\n"
    )
    deps = parse_compiled(text, "r.txt")
    assert (deps[0].name, deps[0].version, deps[0].via) == ("idna", "3.20", "requests, yarl")
    assert deps[1].skipped_reason.startswith("direct URL") and deps[1].via == ""
    assert deps[2].skipped_reason.startswith("editable")


def test_several_parents_are_shortened_in_the_table_only() -> None:
    from tracker.audit.report import AuditEntry, AuditReport
    from tracker.formats import get_renderer
    from tracker.models import Evidence, Status

    entry = AuditEntry(
        name="idna",
        version="3.20",
        specifier="==3.20",
        origin="r.txt",
        status=Status.UNKNOWN,
        evidence=Evidence.NONE,
        via="anyio, httpx, requests",
    )
    report = AuditReport("r.txt", "3.14t", "manylinux_x86_64", "snapshot", (entry,))
    assert "via anyio +2" in get_renderer("table")(report)
    assert '"via": "anyio, httpx, requests"' in get_renderer("json")(report)


def test_a_credentialed_index_reaches_uv_in_its_environment_never_its_command_line(
    tmp_path: Path,
) -> None:
    """``--resolve`` against a private index (HTTP basic auth): the resolution works, uv
    got the credentials, and no process fttrack started had them in its argv (which
    every local user can read in /proc/PID/cmdline)."""
    from tests.spawned import recording

    wheels = [
        build_pure_wheel(tmp_path, "ftapp", {"ftapp/__init__.py": ""}, requires=("idna",)),
        build_pure_wheel(tmp_path, "idna", {"idna/__init__.py": ""}, version="3.20"),
    ]
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("ftapp\n")
    with IndexServer(credentials=("auditor", "s3cret-t0ken")) as server:
        for wheel in wheels:
            server.add_wheel_file(wheel)
        url = server.index_url.replace("http://", "http://auditor:s3cret-t0ken@")
        env = {"FTTRACK_INDEX_URL": url, "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
               "UV_HTTP_RETRIES": "0", "UV_INDEX_URL": "http://127.0.0.1:9/simple/"}  # fmt: skip
        with recording() as spawned:
            code, document, stderr = _audit([str(requirements)], env)
        answered = [(r.path, r.status) for r in server.requests]
    assert code == 0, stderr
    assert {d["name"]: d["version"] for d in document["dependencies"]} == {
        "ftapp": "1.0", "idna": "3.20"}  # fmt: skip
    assert ("/simple/ftapp/", 200) in answered  # with the credentials: 401 without them
    uv = [s for s in spawned if "compile" in s.argv]
    assert uv, spawned
    assert not [s.argv for s in spawned if any("s3cret" in a for a in s.argv)]
    # through the environment (only the user and root can read /proc/PID/environ)
    assert all(s.env is not None and s.env["UV_DEFAULT_INDEX"] == url for s in uv)
    assert all("UV_INDEX_URL" not in (s.env or {}) for s in uv)
    assert "s3cret" not in stderr
