"""The source-build path: tarball discovery in the apt archive and sha256 checks.

The build itself (configure --disable-gil, make, install) runs for real in CI
through ``fttrack python install`` on a clean machine; here we check the parts
that decide what gets built.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tracker.errors import InterpreterError
from tracker.pythons.build import (
    KNOWN_TARBALLS,
    SourceTarball,
    _download,
    _shared_options,
    _sources_index_entries,
    apt_archive_bases,
    candidate_tarballs,
    python_version,
)

SOURCES_EXCERPT = """Package: python3.14
Checksums-Sha256:
 3b48dac8fb59f62eaa67ac83c1eb12bda1b7a08406dd286e252c11a66be27f81 24053924 python3.14_3.14.7.orig.tar.xz
 43187e8f368dfdcb77ef1f879c50dcacfb1438ca01657859f2a06cfaf9c3cd2a 223864 python3.14_3.14.7-1.debian.tar.xz
 829de6c60c2d619efa4fc48505c0cfd241e00de3d7799aa77aa707fec2158e46 833 python3.14_3.14.7.orig.tar.xz.asc
"""


def test_sources_index_parsing_takes_only_orig_tarballs() -> None:
    assert list(_sources_index_entries(SOURCES_EXCERPT, "3.14")) == [
        ("3.14.7", "3b48dac8fb59f62eaa67ac83c1eb12bda1b7a08406dd286e252c11a66be27f81")
    ]
    assert list(_sources_index_entries(SOURCES_EXCERPT, "3.13")) == []


PRERELEASE_EXCERPT = """Package: python3.15
Checksums-Sha256:
 f84dad680ab2147417d2739355c2678f0f9acffe4ae8ef77895de1454b384b07 35516700 python3.15_3.15.0~rc1.orig.tar.xz
 ba4bed1ba346b916890b76d9e320451420aa69f6408997d33c66482eeae3d575 35688820 python3.15_3.15.0.orig.tar.xz
 ba2cebfd594101d25691a3f56f14482b75d4e2161ada4fd80949cca85edc8c6f 216556 python3.15_3.15.0~rc1-1.debian.tar.xz
"""


def test_sources_index_parsing_takes_release_candidates() -> None:
    entries = dict(_sources_index_entries(PRERELEASE_EXCERPT, "3.15"))
    assert set(entries) == {"3.15.0~rc1", "3.15.0"}
    assert entries["3.15.0~rc1"].startswith("f84dad68")
    assert python_version("3.15.0~rc1") == "3.15.0rc1"


def test_candidates_for_315_use_debian_file_names_and_cpython_versions() -> None:
    candidates = candidate_tarballs("3.15", fetch_indexes=False)
    rc1 = next(c for c in candidates if c.version == "3.15.0rc1")
    assert rc1.url.endswith("/pool/main/p/python3.15/python3.15_3.15.0~rc1.orig.tar.xz")
    assert rc1.sha256 == KNOWN_TARBALLS["3.15"][0][1]


def test_a_final_release_sorts_before_its_release_candidate() -> None:
    from packaging.version import Version

    assert Version(python_version("3.15.0")) > Version(python_version("3.15.0~rc1"))


def test_archive_bases_come_from_apt_configuration() -> None:
    bases = apt_archive_bases()
    assert bases, "this machine's apt sources name at least one archive"
    assert all("://" in b and not b.endswith("/") for b in bases)


def test_candidates_include_known_good_releases_newest_first() -> None:
    candidates = candidate_tarballs("3.14", fetch_indexes=False)
    versions = [c.version for c in candidates]
    assert KNOWN_TARBALLS["3.14"][0][0] in versions
    assert all(c.url.endswith(f"python3.14_{c.version}.orig.tar.xz") for c in candidates)
    assert all(len(c.sha256) == 64 for c in candidates)


class _Files(BaseHTTPRequestHandler):
    payload = b"not really a tarball" * 1000

    def do_GET(self) -> None:
        if self.path.endswith("missing.tar.xz"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def file_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_verifies_sha256(file_server: str, tmp_path: Path) -> None:
    good = hashlib.sha256(_Files.payload).hexdigest()
    dest = tmp_path / "python.tar.xz"
    assert _download(SourceTarball("3.14.9", f"{file_server}/ok.tar.xz", good), dest, print)
    assert dest.read_bytes() == _Files.payload
    with pytest.raises(InterpreterError, match="does not match"):
        _download(SourceTarball("3.14.9", f"{file_server}/ok.tar.xz", "0" * 64), dest, print)
    assert not dest.exists(), "a tarball that fails verification is deleted"


def test_a_tarball_missing_from_the_archive_is_skipped(file_server: str, tmp_path: Path) -> None:
    missing = SourceTarball("3.14.99", f"{file_server}/missing.tar.xz", "0" * 64)
    assert _download(missing, tmp_path / "x.tar.xz", print) is False


def test_unpacking_refuses_members_that_leave_the_directory(tmp_path: Path) -> None:
    import io
    import tarfile

    from tracker.pythons.build import _extract

    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"no"))
    with tarfile.open(archive) as tar, pytest.raises((InterpreterError, tarfile.TarError)):
        _extract(tar, tmp_path / "out")
    assert not (tmp_path / "outside.txt").exists()


def test_a_shared_build_links_libpython_with_an_rpath_to_its_own_lib(tmp_path: Path) -> None:
    prefix = tmp_path / "cpython-3.14.7-freethreaded-shared"
    assert _shared_options(prefix, True) == [
        "--enable-shared",
        f"LDFLAGS=-Wl,-rpath,{prefix}/lib",
    ]
    assert _shared_options(prefix, False) == []
