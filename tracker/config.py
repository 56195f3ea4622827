"""Settings: environment variables, an optional TOML file, then defaults.

Precedence for every setting: the ``FTTRACK_*`` environment variable, then
the ``[fttrack]`` table of the config file (``FTTRACK_CONFIG`` or
``<user config dir>/fttrack/config.toml``), then the default.

The package index URL is never written in fttrack's code. It is resolved at
run time (:func:`resolve_index_url`): fttrack's own setting, then the
environment's pip and uv settings, then pip's built-in default.
"""

from __future__ import annotations

import configparser
import functools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError
from tracker.files import FileRefused, read_file

__all__ = ["Settings", "load_settings", "resolve_index_url", "uv_index_environment"]

APP = "fttrack"


def _user_dir(kind: str) -> Path:
    """The per-user directory of ``kind``; as root, the cache is system-wide.

    The sandbox drops root to an unprivileged uid, which cannot read below
    ``/root``: interpreters built there would be invisible to it.
    """
    import platformdirs

    if kind == "cache" and hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path(platformdirs.site_cache_dir(APP, appauthor=False))
    getter = {
        "data": platformdirs.user_data_dir,
        "cache": platformdirs.user_cache_dir,
        "config": platformdirs.user_config_dir,
    }[kind]
    return Path(getter(APP, appauthor=False))


#: Largest config file read (pip's and uv's included); a real one is a few hundred bytes.
CONFIG_LIMIT = 1024 * 1024


def _read_config(path: Path) -> str | None:
    """The text of a config file, read through :func:`tracker.files.read_file` (a
    regular file of at most :data:`CONFIG_LIMIT` bytes); None when it does not exist
    or cannot be read (pip's and uv's files are optional)."""
    try:
        return read_file(path, CONFIG_LIMIT).decode("utf-8", "replace")
    except FileRefused:
        return None


def _config_file() -> tuple[Path | None, dict[str, Any]]:
    """The config file's path and its ``[fttrack]`` table (``None, {}`` without a file).

    The file must be a regular file of at most :data:`CONFIG_LIMIT` bytes: anything
    else (a FIFO, ``/dev/zero``, a huge file) is a :class:`ConfigError`, never read.
    """
    explicit = os.environ.get("FTTRACK_CONFIG")
    path = Path(explicit) if explicit else _user_dir("config") / "config.toml"
    try:
        data = read_file(path, CONFIG_LIMIT)
    except FileRefused as exc:
        if exc.reason.startswith("no such file"):
            if explicit:
                raise ConfigError(f"{path}: config file not found (FTTRACK_CONFIG)") from None
            return None, {}
        raise ConfigError(f"{path}: {exc.reason}") from None
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8 text") from None
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: {str(exc)[:200]}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
    table = document.get("fttrack", document)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [fttrack] must be a table")
    _check_types(path, table)
    return path, table


def _config_file_values() -> dict[str, Any]:
    return _config_file()[1]


#: The type each setting of the config file must have (TOML types).
_STRINGS = ("data_dir", "cache_dir", "db", "index_url", "api_token", "public_url")
_NUMBERS = ("probe_timeout", "crawl_interval")
_WHOLE_NUMBERS = ("concurrency",)


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names.update({list: "an array", dict: "a table"})
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _check_types(path: Path, table: dict[str, Any]) -> None:
    """Refuse a setting of the wrong type at load, naming the file and the key.

    ``api_token = 12345`` would otherwise load and fail every write request later.
    """

    def refuse(key: str, expected: str) -> ConfigError:
        value = table[key]
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        return ConfigError(
            f"{path}: [fttrack] {key}: expected {expected}, got {_toml_type(value)} {shown}"
            + (f' (write {key} = "{value}")' if key in _STRINGS and _scalar(value) else "")
        )

    for key in _STRINGS:
        if key in table and not isinstance(table[key], str):
            raise refuse(key, "a string")
    for key in _NUMBERS:
        if key in table and (isinstance(table[key], bool) or not _is_number(table[key])):
            raise refuse(key, "a number")
    for key in _WHOLE_NUMBERS:
        if key in table and (isinstance(table[key], bool) or not isinstance(table[key], int)):
            raise refuse(key, "an integer")
    pythons = table.get("pythons")
    if pythons is not None and not (
        isinstance(pythons, str)
        or (isinstance(pythons, list) and all(isinstance(p, str) for p in pythons))
    ):
        raise refuse("pythons", "a string or an array of strings")


def _scalar(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float)


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`."""

    data_dir: Path
    cache_dir: Path
    db_url: str
    index_url: str | None
    pythons: tuple[Path, ...]
    api_token: str | None
    probe_timeout: float
    crawl_interval_minutes: float
    concurrency: int
    #: The public address of this tracker (badge links): ``FTTRACK_PUBLIC_URL``.
    public_url: str | None = None

    @property
    def pythons_dir(self) -> Path:
        """Where fttrack keeps interpreters it built or installed."""
        return self.cache_dir / "pythons"

    @property
    def uv_cache_dir(self) -> Path:
        """The uv cache shared by all probes (downloaded wheels)."""
        return self.cache_dir / "uv"

    def require_index_url(self) -> str:
        """The index URL, resolved now if it was not configured explicitly."""
        return self.index_url or resolve_index_url()


def _get(file_values: dict[str, Any], key: str, default: Any) -> Any:
    env = os.environ.get(f"FTTRACK_{key.upper()}")
    if env is not None and env != "":
        return env
    return file_values.get(key, default)


def _where(file_values: dict[str, Any], key: str, path: Path | None) -> str:
    """Where a setting came from, for an error message."""
    env = os.environ.get(f"FTTRACK_{key.upper()}")
    if env is not None and env != "":
        return f"FTTRACK_{key.upper()}"
    if key in file_values and path is not None:
        return f"{path}: [fttrack] {key}"
    return f"setting {key}"


def _number(value: Any, where: str, kind: type[int] | type[float], *, minimum: float = 0.0) -> Any:
    words = "a whole number" if kind is int else "a number"
    try:
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{where}: expected {words}, got {value!r}") from None
    if not number > minimum or number != number or number == float("inf"):
        raise ConfigError(f"{where}: expected {words} above {minimum:g}, got {value!r}")
    return number


def load_settings() -> Settings:
    """Read settings from the environment, the config file and defaults.

    Every setting of the config file is type-checked here: a wrong type (an
    integer ``api_token``, a string ``concurrency``) is a :class:`ConfigError`
    naming the file and the key, never a failure later.
    """
    path, values = _config_file()
    data_dir = Path(_get(values, "data_dir", _user_dir("data"))).expanduser()
    cache_dir = Path(_get(values, "cache_dir", _user_dir("cache"))).expanduser()
    db_url = _get(values, "db", "") or f"sqlite:///{data_dir / 'fttrack.db'}"
    pythons_raw = _get(values, "pythons", "")
    if isinstance(pythons_raw, list):
        pythons = tuple(Path(p).expanduser() for p in pythons_raw)
    else:
        pythons = tuple(Path(p).expanduser() for p in str(pythons_raw).split(os.pathsep) if p)

    def number(key: str, default: float, kind: type[int] | type[float]) -> Any:
        return _number(_get(values, key, default), _where(values, key, path), kind)

    return Settings(
        data_dir=data_dir,
        cache_dir=cache_dir,
        db_url=str(db_url),
        index_url=_get(values, "index_url", None) or None,
        pythons=pythons,
        api_token=_get(values, "api_token", None) or None,
        probe_timeout=number("probe_timeout", 60, float),
        crawl_interval_minutes=number("crawl_interval", 60, float),
        concurrency=number("concurrency", 8, int),
        public_url=_get(values, "public_url", None) or None,
    )


def _pip_config_index_url() -> str | None:
    """``index-url`` from pip's config files (global, user, site, PIP_CONFIG_FILE)."""
    candidates = [Path("/etc/pip.conf"), Path("/etc/xdg/pip/pip.conf")]
    candidates += [Path.home() / ".pip" / "pip.conf", Path.home() / ".config" / "pip" / "pip.conf"]
    if os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]) / "pip.conf")
    if os.environ.get("PIP_CONFIG_FILE"):
        candidates.append(Path(os.environ["PIP_CONFIG_FILE"]))
    found: str | None = None
    for path in candidates:  # later files override earlier ones, as in pip
        text = _read_config(path)
        if text is None:
            continue
        parser = configparser.ConfigParser()
        try:
            parser.read_string(text, source=str(path))
        except configparser.Error:
            continue
        for section in ("global", "install", "download"):
            if parser.has_option(section, "index-url"):
                found = parser.get(section, "index-url")
    return found


def _uv_config_index_url() -> str | None:
    """The default index from uv's ``uv.toml`` (user and system)."""
    for path in (Path.home() / ".config" / "uv" / "uv.toml", Path("/etc/uv/uv.toml")):
        text = _read_config(path)
        if text is None:
            continue
        try:
            document = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError, RecursionError):
            continue
        if isinstance(document.get("index-url"), str):
            return str(document["index-url"])
        for index in document.get("index", []):
            if isinstance(index, dict) and index.get("default") and index.get("url"):
                return str(index["url"])
    return None


def _pip_builtin_default() -> str | None:
    try:
        from pip._internal.models.index import PyPI
    except ImportError:
        return None
    return str(PyPI.simple_url)


@functools.cache
def resolve_index_url() -> str:
    """The simple-API base URL of the package index, ending in ``/``.

    Order: ``FTTRACK_INDEX_URL`` (or ``index_url`` in the config file), then
    ``PIP_INDEX_URL``, ``UV_DEFAULT_INDEX``, ``UV_INDEX_URL``, pip's and uv's
    config files, then the default built into pip, read at run time.
    """
    settings_value = _get(_config_file_values(), "index_url", None)
    for value in (
        settings_value,
        os.environ.get("PIP_INDEX_URL"),
        os.environ.get("UV_DEFAULT_INDEX"),
        os.environ.get("UV_INDEX_URL"),
        _pip_config_index_url(),
        _uv_config_index_url(),
        _pip_builtin_default(),
    ):
        if value:
            return str(value).rstrip("/") + "/"
    raise ConfigError(
        "no package index configured: set FTTRACK_INDEX_URL (or PIP_INDEX_URL) to a simple-API URL"
    )


#: uv's variables naming the index it installs from (``UV_INDEX_URL`` is the older
#: name of ``UV_DEFAULT_INDEX``; when both are set, ``UV_DEFAULT_INDEX`` wins).
_UV_INDEX_VARIABLES = ("UV_DEFAULT_INDEX", "UV_INDEX_URL")


def uv_index_environment(env: Mapping[str, str], index_url: str) -> dict[str, str]:
    """A copy of ``env`` that hands uv ``index_url`` as its index (``UV_DEFAULT_INDEX``).

    The URL may carry credentials (``https://user:token@host/simple/``). A command
    line is readable by every local user (``/proc/PID/cmdline``, ``ps``); a
    process's environment only by its own user and root. So fttrack never puts an
    index URL on uv's command line: uv reads it from here. ``UV_INDEX_URL`` is
    dropped so that nothing competes with it.

    >>> uv_index_environment({"UV_INDEX_URL": "http://old/", "PATH": "/bin"}, "http://i/simple/")
    {'PATH': '/bin', 'UV_DEFAULT_INDEX': 'http://i/simple/'}
    """
    copied = {k: v for k, v in env.items() if k not in _UV_INDEX_VARIABLES}
    copied["UV_DEFAULT_INDEX"] = index_url
    return copied
