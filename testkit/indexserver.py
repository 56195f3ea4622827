"""A loopback package index for tests: real files, recorded pages, scripted faults.

:class:`IndexServer` listens on ``127.0.0.1`` on a free port, in a thread, and
serves a simple-API index built from wheel files (on disk or in memory) and
from recorded JSON pages::

    with IndexServer() as server:
        server.add_wheel_file(Path("six-1.17.0-py2.py3-none-any.whl"))
        server.add_recorded_page(Path("tests/assets/index/numpy.json"))
        server.add_fault("/simple/six/", Fault("status", status=429, retry_after="1"))
        ... PypiIndex(server.index_url) ...
        assert server.requests_to("/simple/six/") == 2

Routes:

- ``/simple/``: the root list (HTML), ``/simple/<name>/``: PEP 691 JSON or
  PEP 503 HTML by ``Accept`` (or HTML only, like a plain static index),
  with ``_last-serial`` in ``meta`` and the ``X-PyPI-Last-Serial`` header,
  ``ETag`` / ``304`` when enabled.
- ``/files/<filename>``: file bytes with ``Range`` support (``bytes=-N``,
  ``a-b``, ``a-``) unless disabled; ``/files/<filename>.metadata``: the
  wheel's METADATA (PEP 658) when enabled.
- ``/pypi/<name>/json``: a minimal legacy JSON API page.
- ``/_stats`` (JSON: requests and body bytes so far) and ``/_clear`` (empty
  the request log), neither logged: for a server run in another process with
  ``python -m testkit.indexserver`` (see :func:`main`).

Faults (:class:`Fault`) are scripted per exact path and used up in order:
an HTTP status with ``Retry-After``, a delay, a truncated or malformed body,
a connection dropped mid-body, a huge body. Every request is recorded
(:attr:`IndexServer.requests`). Delays wake up when the server stops, so a test
never waits on a sleeping handler.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

from tracker.wheels import classify_file

__all__ = ["Fault", "IndexServer", "RecordedRequest", "ServedFile"]

UPLOAD_TIME = "2026-11-01T12:00:00.000000Z"
_JSON_TYPE = "application/vnd.pypi.simple.v1+json"
_HTML_TYPE = "text/html; charset=utf-8"
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass
class Fault:
    """A scripted misbehaviour for one path.

    ``kind``: ``"status"`` (answer ``status``, with ``retry_after`` if set),
    ``"delay"`` (sleep ``seconds``, then answer normally), ``"truncate"``
    (the normal body cut to half, with a matching Content-Length),
    ``"drop"`` (declare the full length, send half, close), ``"malformed"``
    (a JSON content type with a body that is not JSON), ``"huge"`` (``size``
    bytes of JSON-looking filler, with or without ``declare_length``).
    ``times``: how many requests it affects (``None``: all).
    """

    kind: str
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    size: int = 0
    declare_length: bool = True
    times: int | None = 1


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server answered (``body_bytes``: the body it set out to send)."""

    method: str
    path: str
    headers: dict[str, str]
    status: int
    body_bytes: int


@dataclass
class ServedFile:
    """One distribution file of a project."""

    filename: str
    data: bytes
    yanked: bool | str = False
    requires_python: str | None = None

    @property
    def sha256(self) -> str:
        """Hex digest of the file."""
        return hashlib.sha256(self.data).hexdigest()

    def metadata(self) -> bytes | None:
        """The wheel's ``*.dist-info/METADATA`` bytes, or None for other files."""
        if not self.filename.endswith(".whl"):
            return None
        with zipfile.ZipFile(BytesIO(self.data)) as archive:
            for name in archive.namelist():
                if re.fullmatch(r"[^/]+\.dist-info/METADATA", name):
                    return archive.read(name)
        return None


@dataclass
class _Project:
    name: str
    serial: int = 1
    files: dict[str, ServedFile] = field(default_factory=dict)
    recorded: dict[str, Any] | None = None  # a recorded PEP 691 document, served as given
    revision: int = 0  # bumped on every change; keys the rendered-page cache


class IndexServer:
    """A threaded loopback simple-API index. Use as a context manager.

    Switches: ``etag`` (ETag/304), ``serial_header`` (``X-PyPI-Last-Serial``),
    ``serial_as_string`` (``_last-serial`` as a JSON string, like some mirrors),
    ``metadata_files`` (serve and advertise ``.metadata``), ``ranges`` (honour
    ``Range``), ``json_api`` (False: answer HTML only, like a static index),
    ``credentials`` (user, password: every route but the control ones answers 401
    without them in HTTP basic auth, like a private index).
    """

    def __init__(
        self,
        *,
        etag: bool = True,
        serial_header: bool = True,
        serial_as_string: bool = False,
        metadata_files: bool = True,
        ranges: bool = True,
        json_api: bool = True,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.etag = etag
        self.serial_header = serial_header
        self.serial_as_string = serial_as_string
        self.metadata_files = metadata_files
        self.ranges = ranges
        self.json_api = json_api
        self.credentials = credentials
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._projects: dict[str, _Project] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._rendered: dict[tuple[str, int, bool], tuple[bytes, str]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------

    def start(self) -> IndexServer:
        """Start listening on a free loopback port."""
        handler = type("_BoundHandler", (_Handler,), {"server_state": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, waking any delayed handler."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> IndexServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def index_url(self) -> str:
        """The simple-API root, ending in ``/``."""
        return f"{self.base_url}/simple/"

    def file_url(self, filename: str) -> str:
        """Where ``filename`` is served."""
        return f"{self.base_url}/files/{filename}"

    # -- content ---------------------------------------------------------

    def _project(self, name: str) -> _Project:
        key = canonicalize_name(name)
        return self._projects.setdefault(key, _Project(key))

    def add_file(
        self,
        project: str,
        filename: str,
        data: bytes,
        *,
        yanked: bool | str = False,
        requires_python: str | None = None,
    ) -> ServedFile:
        """Serve ``data`` as ``filename`` on ``project``'s page."""
        served = ServedFile(filename, data, yanked, requires_python)
        with self._lock:
            entry = self._project(project)
            entry.files[filename] = served
            entry.revision += 1
        return served

    def add_wheel_file(self, path: Path, **options: Any) -> ServedFile:
        """Serve a real file from disk under its own name (project from the filename)."""
        tags = classify_file(path.name)
        if tags.project is None:
            raise ValueError(f"cannot tell the project of {path.name}")
        return self.add_file(tags.project, path.name, path.read_bytes(), **options)

    def add_directory(self, directory: Path) -> None:
        """Serve every wheel and sdist in ``directory``."""
        for path in sorted(directory.iterdir()):
            if classify_file(path.name).project is not None:
                self.add_wheel_file(path)

    def add_recorded_page(self, path: Path, name: str | None = None) -> None:
        """Serve a recorded PEP 691 JSON page (HTML is generated from it)."""
        self.add_recorded_document(json.loads(path.read_text()), name)

    def add_recorded_document(self, document: dict[str, Any], name: str | None = None) -> None:
        """Serve a PEP 691 document as ``name``'s page (default: its ``name``)."""
        key = canonicalize_name(name or document["name"])
        serial = document.get("meta", {}).get("_last-serial")
        with self._lock:
            project = self._project(key)
            project.recorded = document
            project.revision += 1
            if serial is not None and str(serial).isdigit():
                project.serial = int(serial)

    def bump(self, project: str) -> int:
        """Record a change to ``project`` (its serial goes up); return the new serial."""
        with self._lock:
            entry = self._project(project)
            entry.serial += 1
            entry.revision += 1
            if entry.recorded is not None:
                entry.recorded = {**entry.recorded, "meta": {**entry.recorded.get("meta", {})}}
                entry.recorded["meta"]["_last-serial"] = entry.serial
            return entry.serial

    def serial(self, project: str) -> int:
        """The project's current serial."""
        return self._project(project).serial

    # -- faults and the request log -------------------------------------

    def add_fault(self, path: str, *faults: Fault) -> None:
        """Script faults for requests to exactly ``path`` (used in order)."""
        with self._lock:
            self._faults.setdefault(path, []).extend(faults)

    def clear_faults(self) -> None:
        """Forget every scripted fault."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(path)
            if not queue:
                return None
            fault = queue[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
            return fault

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def requests_to(self, path: str) -> int:
        """How many requests were made to exactly ``path``."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self._lock:
            self.requests.clear()

    def body_bytes_sent(self) -> int:
        """Total body bytes sent so far."""
        with self._lock:
            return sum(r.body_bytes for r in self.requests)

    # -- page generation -------------------------------------------------

    def _serial_value(self, serial: int) -> int | str:
        return str(serial) if self.serial_as_string else serial

    def json_document(self, name: str) -> dict[str, Any] | None:
        """The PEP 691 document for ``name``, or None if unknown."""
        with self._lock:
            project = self._projects.get(canonicalize_name(name))
            if project is None:
                return None
            if project.recorded is not None:
                return project.recorded
            files = sorted(project.files.values(), key=lambda f: f.filename)
            serial = project.serial
        entries = []
        for served in files:
            entry: dict[str, Any] = {
                "filename": served.filename,
                "url": self.file_url(served.filename),
                "hashes": {"sha256": served.sha256},
                "requires-python": served.requires_python,
                "size": len(served.data),
                "upload-time": UPLOAD_TIME,
                "yanked": served.yanked,
            }
            metadata = served.metadata() if self.metadata_files else None
            if metadata is not None:
                entry["core-metadata"] = {"sha256": hashlib.sha256(metadata).hexdigest()}
            entries.append(entry)
        versions = sorted({v for f in files if (v := classify_file(f.filename).version)})
        return {
            "meta": {"api-version": "1.1", "_last-serial": self._serial_value(serial)},
            "name": name,
            "versions": versions,
            "files": entries,
        }

    @staticmethod
    def html_page(document: dict[str, Any]) -> bytes:
        """A PEP 503 page with the same files as a PEP 691 document."""
        lines = [
            "<!DOCTYPE html>",
            "<html><head>",
            '<meta name="pypi:repository-version" content="1.1">',
            f"<title>Links for {html.escape(document['name'])}</title></head><body>",
        ]
        for entry in document["files"]:
            href = entry["url"]
            sha = entry.get("hashes", {}).get("sha256")
            if sha:
                href += f"#sha256={sha}"
            attrs = [f'href="{html.escape(href)}"']
            if entry.get("requires-python"):
                attrs.append(f'data-requires-python="{html.escape(entry["requires-python"])}"')
            yanked = entry.get("yanked")
            if yanked:
                reason = yanked if isinstance(yanked, str) else ""
                attrs.append(f'data-yanked="{html.escape(reason)}"')
            offered = entry.get("core-metadata")
            if offered:
                value = f"sha256={offered['sha256']}" if isinstance(offered, dict) else "true"
                attrs.append(f'data-core-metadata="{value}"')
                attrs.append(f'data-dist-info-metadata="{value}"')
            lines.append(f"<a {' '.join(attrs)}>{html.escape(entry['filename'])}</a><br/>")
        lines.append("</body></html>")
        return "\n".join(lines).encode()

    def rendered_page(self, name: str, as_json: bool) -> tuple[bytes, str] | None:
        """The page body and its ETag, rendered once per revision of the project."""
        with self._lock:
            project = self._projects.get(canonicalize_name(name))
            if project is None:
                return None
            key = (project.name, project.revision, as_json)
            cached = self._rendered.get(key)
        if cached is not None:
            return cached
        document = self.json_document(name)
        if document is None:
            return None
        body = json.dumps(document).encode() if as_json else self.html_page(document)
        rendered = body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        with self._lock:
            self._rendered[key] = rendered
        return rendered

    def root_page(self) -> bytes:
        """The PEP 503 root list."""
        with self._lock:
            names = sorted(self._projects)
        links = "\n".join(f'<a href="{n}/">{n}</a>' for n in names)
        return f"<!DOCTYPE html><html><body>\n{links}\n</body></html>".encode()

    def find_file(self, filename: str) -> ServedFile | None:
        """A served file by name, from any project."""
        with self._lock:
            for project in self._projects.values():
                if filename in project.files:
                    return project.files[filename]
        return None

    def legacy_json(self, name: str) -> dict[str, Any] | None:
        """A minimal ``/pypi/<name>/json`` document."""
        document = self.json_document(name)
        if document is None:
            return None
        releases: dict[str, list[dict[str, Any]]] = {v: [] for v in document.get("versions", [])}
        for entry in document["files"]:
            version = classify_file(entry["filename"]).version
            if version is not None:
                releases.setdefault(version, []).append(
                    {
                        "filename": entry["filename"],
                        "url": entry["url"],
                        "digests": entry.get("hashes", {}),
                        "size": entry.get("size"),
                        "yanked": bool(entry.get("yanked")),
                    }
                )
        latest = document["versions"][-1] if document.get("versions") else None
        return {
            "info": {"name": document["name"], "version": latest},
            "last_serial": self.serial(name),
            "releases": releases,
            "urls": releases.get(latest, []) if latest else [],
        }

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, or less if the server is stopping."""
        self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops bursts of concurrent connects
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: IndexServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    # -- plumbing ----------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        payload = body if self.command != "HEAD" else b""
        self._log(status, len(payload))  # before the client can see the answer
        self.end_headers()
        if payload:
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def _log(self, status: int, sent: int) -> None:
        self.server_state._record(
            RecordedRequest(
                self.command,
                urlsplit(self.path).path,
                {k.lower(): v for k, v in self.headers.items()},
                status,
                sent,
            )
        )

    def do_HEAD(self) -> None:
        """As GET, without the body."""
        self.do_GET()

    def do_GET(self) -> None:
        """Route the request, after any scripted fault."""
        state = self.server_state
        path = unquote(urlsplit(self.path).path)
        if path in ("/_stats", "/_clear"):
            self._control(path)
            return
        if state.credentials is not None and not self._authorized(state.credentials):
            self._send(401, b"credentials required", headers={"WWW-Authenticate": "Basic"})
            return
        with state._lock:
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            fault = state._take_fault(path)
            if fault is not None and self._apply_fault(fault, path):
                return
            self._route(path)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            with state._lock:
                state.in_flight -= 1

    def _authorized(self, credentials: tuple[str, str]) -> bool:
        """Whether the request carries ``credentials`` in HTTP basic auth."""
        import base64

        expected = base64.b64encode(":".join(credentials).encode()).decode()
        return self.headers.get("Authorization", "") == f"Basic {expected}"

    def _control(self, path: str) -> None:
        state = self.server_state
        if path == "/_clear":
            state.clear_requests()
        stats = {"requests": len(state.requests), "body_bytes": state.body_bytes_sent()}
        body = json.dumps(stats).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # -- faults ------------------------------------------------------------

    def _apply_fault(self, fault: Fault, path: str) -> bool:
        """Misbehave; True when the request is fully handled."""
        if fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(fault.status, b"fault", "text/plain", headers)
            return True
        if fault.kind == "delay":
            self.server_state.wait(fault.seconds)
            return False
        if fault.kind == "malformed":
            self._send(200, b'{"meta": {"api-version": "1.1"}, "files": <oops>', _JSON_TYPE)
            return True
        if fault.kind == "huge":
            self._send_huge(fault)
            return True
        status, body, content_type, headers = self._normal(path)
        half = body[: len(body) // 2]
        if fault.kind == "truncate":
            self._send(status, half, content_type, headers)
            return True
        if fault.kind == "drop":
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self._log(status, len(half))
            self.end_headers()
            self.wfile.write(half)
            self.wfile.flush()
            self.close_connection = True
            return True
        raise ValueError(f"unknown fault kind {fault.kind!r}")

    def _send_huge(self, fault: Fault) -> None:
        self.send_response(200)
        self.send_header("Content-Type", _JSON_TYPE)
        if fault.declare_length:
            self.send_header("Content-Length", str(fault.size))
        else:
            self.send_header("Connection", "close")
        self._log(200, fault.size)
        self.end_headers()
        chunk = b" " * 65536
        sent = 0
        try:
            while sent < fault.size and not self.server_state._stopping.is_set():
                piece = chunk[: fault.size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    # -- normal answers ----------------------------------------------------

    def _normal(self, path: str) -> tuple[int, bytes, str | None, dict[str, str]]:
        """Status, body, content type and headers of the normal answer for ``path``."""
        state = self.server_state
        if path == "/simple/":
            return 200, state.root_page(), _HTML_TYPE, {}
        match = re.fullmatch(r"/simple/([^/]+)/?", path)
        if match:
            return self._project_page(match.group(1))
        match = re.fullmatch(r"/pypi/([^/]+)/json", path)
        if match:
            document = state.legacy_json(match.group(1))
            if document is None:
                return 404, b'{"message": "Not Found"}', "application/json", {}
            return 200, json.dumps(document).encode(), "application/json", {}
        match = re.fullmatch(r"/files/([^/]+)", path)
        if match:
            return self._file(match.group(1))
        return 404, b"not found", "text/plain", {}

    def _project_page(self, requested: str) -> tuple[int, bytes, str | None, dict[str, str]]:
        state = self.server_state
        name = canonicalize_name(requested)
        as_json = state.json_api and _JSON_TYPE in self.headers.get("Accept", "")
        rendered = state.rendered_page(name, as_json)
        if rendered is None:
            return 404, b"not found", "text/plain", {}
        body, tag = rendered
        content_type = _JSON_TYPE if as_json else _HTML_TYPE
        headers: dict[str, str] = {"Vary": "Accept"}
        if state.serial_header:
            headers["X-PyPI-Last-Serial"] = str(state.serial(name))
        if state.etag:
            headers["ETag"] = tag
            if tag in [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]:
                return 304, b"", None, headers
        return 200, body, content_type, headers

    def _file(self, filename: str) -> tuple[int, bytes, str | None, dict[str, str]]:
        state = self.server_state
        if filename.endswith(".metadata"):
            served = state.find_file(filename[: -len(".metadata")])
            metadata = served.metadata() if served and state.metadata_files else None
            if metadata is None:
                return 404, b"not found", "text/plain", {}
            return 200, metadata, "application/octet-stream", {}
        served = state.find_file(filename)
        if served is None:
            return 404, b"not found", "text/plain", {}
        data = served.data
        range_header = self.headers.get("Range")
        if not state.ranges or not range_header:
            return 200, data, "application/octet-stream", {"Accept-Ranges": "none"}
        span = _parse_range(range_header, len(data))
        if span is None:
            return 416, b"", None, {"Content-Range": f"bytes */{len(data)}"}
        first, last = span
        headers = {"Content-Range": f"bytes {first}-{last}/{len(data)}", "Accept-Ranges": "bytes"}
        return 206, data[first : last + 1], "application/octet-stream", headers

    def _route(self, path: str) -> None:
        status, body, content_type, headers = self._normal(path)
        self._send(status, body, content_type, headers)


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` inclusive for a single byte range, or None if unsatisfiable.

    >>> _parse_range("bytes=-10", 100), _parse_range("bytes=5-", 100), _parse_range("bytes=0-9", 5)
    ((90, 99), (5, 99), (0, 4))
    """
    match = _RANGE_RE.match(header.strip())
    if not match or size == 0:
        return None
    start, end = match.groups()
    if not start:
        if not end:
            return None
        length = min(int(end), size)
        return size - length, size - 1
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if first > last:
        return None
    return first, last


def iter_requests(server: IndexServer, prefix: str) -> Iterator[RecordedRequest]:
    """Recorded requests whose path starts with ``prefix``."""
    return (r for r in list(server.requests) if r.path.startswith(prefix))


def main(argv: list[str] | None = None) -> int:
    """Serve recorded pages and wheels from another process until stdin closes.

    ``python -m testkit.indexserver --recorded DIR [--wheels DIR] [--no-etag]
    [--no-serial-header] [--serial-as-string]`` prints the index URL on its
    first line of output, then serves until its standard input reaches EOF.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="loopback package index for tests")
    parser.add_argument("--recorded", type=Path, help="directory of PEP 691 JSON pages")
    parser.add_argument("--wheels", type=Path, help="directory of wheel/sdist files")
    parser.add_argument("--no-etag", action="store_true")
    parser.add_argument("--no-serial-header", action="store_true")
    parser.add_argument("--serial-as-string", action="store_true")
    args = parser.parse_args(argv)
    server = IndexServer(
        etag=not args.no_etag,
        serial_header=not args.no_serial_header,
        serial_as_string=args.serial_as_string,
    )
    names: list[str] = []
    if args.recorded:
        for path in sorted(args.recorded.glob("*.json")):
            document = json.loads(path.read_text())
            server.add_recorded_document(document)
            names.append(document["name"])
    if args.wheels:
        server.add_directory(args.wheels)
    for name in names:  # render once up front, so timings measure the client
        server.rendered_page(name, as_json=True)
    with server:
        print(server.index_url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
