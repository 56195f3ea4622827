"""Untrusted archives on the host: a wheel's declared size is checked before anything
unpacks it, and every read of the package's files is bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from testkit.wheelbuild import build_bomb_wheel, write_wheel
from tests.probe.conftest import ProbeWheel
from tracker.models import Status
from tracker.probe import Limits, venv_distributions
from tracker.probe.archives import bounded_lines, check_wheel
from tracker.probe.runner import ProbeRequest, run_probe
from tracker.probe.sandbox import choose_sandbox
from tracker.probe.venv_distributions import exports_init, read_distributions
from tracker.pythons.discover import Interpreter

BOMB_BYTES = 64 << 20
CAP = 16 << 20


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """64 MiB of zeros in a wheel of well under 1 MiB."""
    return build_bomb_wheel(tmp_path_factory.mktemp("bomb"), "ftbomb", BOMB_BYTES)


def test_the_bomb_is_small_on_disk_and_declares_its_real_size(bomb: Path) -> None:
    assert bomb.stat().st_size < 1 << 20
    declared, refused = check_wheel(bomb, CAP)
    assert declared >= BOMB_BYTES
    assert refused is not None and "above the cap" in refused.reason
    assert check_wheel(bomb, BOMB_BYTES * 2)[1] is None


def test_a_local_bomb_is_refused_before_install(
    bomb: Path, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    request = ProbeRequest(wheel=bomb, find_links=(bomb.parent,), offline=True,
                           max_unpacked_bytes=CAP)  # fmt: skip
    result = run_probe(
        request, interpreter=interpreters["3.14t"], sandbox=choose_sandbox(),
        uv_cache_dir=tmp_path / "uv-cache", limits=Limits(wall_seconds=60, idle_seconds=30),
    )  # fmt: skip
    assert result.status is Status.INSTALL_FAILED
    assert "refused to unpack ftbomb-1.0-py3-none-any.whl" in result.detail
    assert "declares 64 MiB uncompressed" in result.detail
    assert result.installed == ()
    assert not any((tmp_path / "uv-cache").rglob("blob.bin")), "nothing was unpacked"


def test_a_bomb_from_the_index_is_refused_after_download_before_unpacking(
    bomb: Path, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    with IndexServer() as server:
        server.add_wheel_file(bomb)
        request = ProbeRequest(requirement="ftbomb==1.0", index_url=server.index_url,
                               max_unpacked_bytes=CAP)  # fmt: skip
        result = run_probe(
            request, interpreter=interpreters["3.14t"], sandbox=choose_sandbox(),
            uv_cache_dir=tmp_path / "uv-cache", limits=Limits(wall_seconds=60, idle_seconds=30),
        )  # fmt: skip
    assert result.status is Status.INSTALL_FAILED
    assert "refused to unpack ftbomb-1.0-py3-none-any.whl" in result.detail
    assert not any((tmp_path / "uv-cache").rglob("blob.bin")), "nothing was unpacked"


def test_under_the_cap_the_same_wheel_installs_from_the_index(
    bomb: Path, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    with IndexServer() as server:
        server.add_wheel_file(bomb)
        request = ProbeRequest(requirement="ftbomb==1.0", index_url=server.index_url,
                               max_unpacked_bytes=BOMB_BYTES * 2)  # fmt: skip
        result = run_probe(
            request, interpreter=interpreters["3.14t"], sandbox=choose_sandbox(),
            uv_cache_dir=tmp_path / "uv-cache", limits=Limits(wall_seconds=60, idle_seconds=30),
        )  # fmt: skip
    assert result.status is Status.READY
    assert result.installed == ("ftbomb==1.0",)


def test_a_verified_wheel_is_downloaded_once_and_checked_again_on_reuse(
    bomb: Path, interpreters: dict[str, Interpreter], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from tracker.probe import staging

    checked: list[Path] = []
    real_check = check_wheel

    def counting(path: Path, cap: int) -> tuple[int, object]:
        checked.append(path)
        return real_check(path, cap)

    monkeypatch.setattr(staging, "check_wheel", counting)
    with IndexServer() as server:
        server.add_wheel_file(bomb)
        for _ in range(2):
            request = ProbeRequest(requirement="ftbomb==1.0", index_url=server.index_url,
                                   max_unpacked_bytes=BOMB_BYTES * 2)  # fmt: skip
            result = run_probe(
                request, interpreter=interpreters["3.14t"], sandbox=choose_sandbox(),
                uv_cache_dir=tmp_path / "uv-cache",
                limits=Limits(wall_seconds=60, idle_seconds=30),
            )  # fmt: skip
            assert result.status is Status.READY
        assert server.requests_to(f"/files/{bomb.name}") == 1
    assert len(checked) == 2
    assert checked[1].is_relative_to(tmp_path / "fttrack-wheels")


def test_a_probe_of_a_local_bomb_uses_the_environment_cap(
    bomb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FTTRACK_MAX_UNPACKED_MB", "16")
    assert ProbeRequest(wheel=bomb).max_unpacked_bytes == CAP


def test_record_listing_one_file_many_times_reads_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"
    (site / "ftmany").mkdir(parents=True)
    (site / "ftmany" / "_c.so").write_bytes(b"\0PyInit__c\0")
    dist_info = site / "ftmany-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: ftmany\nVersion: 1.0\n")
    (dist_info / "RECORD").write_text("ftmany/_c.so,,\n" * 10_000)
    calls: list[Path] = []
    real = venv_distributions.exports_init

    def counting(path: Path, module: str) -> bool:
        calls.append(path)
        return real(path, module)

    monkeypatch.setattr(venv_distributions, "exports_init", counting)
    [dist] = read_distributions(site, [".so"])
    assert dist.extension_modules == ["ftmany._c"]
    assert dist.modules == ["ftmany._c"]
    assert len(calls) == 1


def test_the_pyinit_scan_of_a_non_elf_file_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = tmp_path / "_far.so"
    blob.write_bytes(bytes(3 << 20) + b"PyInit__far\0")
    assert exports_init(blob, "_far")
    monkeypatch.setattr(venv_distributions, "MAX_SCAN_BYTES", 1 << 20)
    assert not exports_init(blob, "_far"), "nothing beyond the bound is read"


def test_elf_modules_are_judged_by_their_dynamic_symbols(
    interpreters: dict[str, Interpreter],
) -> None:
    dynload = next(interpreters["3.14t"].prefix.glob("lib/python3*/lib-dynload"))
    module = next(dynload.glob("_json.*.so"))
    assert exports_init(module, "_json")
    assert not exports_init(module, "_pickle")


def test_a_huge_stderr_line_is_cut_and_reading_goes_on(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"
    log.write_bytes(b"x" * (8 << 20) + b"\n# loading module 'a', which requires the GIL\n")
    lines = list(bounded_lines(log, max_line=4096))
    assert len(lines[0]) == 4096
    assert lines[1] == "# loading module 'a', which requires the GIL"


def test_a_wheel_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    from tracker.probe import archives

    files = {f"ftwide/m{i}.py": b"" for i in range(50)}
    wheel = write_wheel(tmp_path, "ftwide", "1.0", "py3-none-any", files)
    assert check_wheel(wheel, CAP)[1] is None
    original = archives.MAX_ENTRIES
    try:
        archives.MAX_ENTRIES = 10
        refused = check_wheel(wheel, CAP)[1]
    finally:
        archives.MAX_ENTRIES = original
    assert refused is not None and "entries, above the cap" in refused.reason


def test_probe_wheel_fixture_still_probes_normal_wheels(
    interpreters: dict[str, Interpreter], behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:  # fmt: skip
    result = probe_wheel(behaviour_wheels["3.14t"]["good"], interpreters["3.14t"])
    assert result.status is Status.READY
