"""The environment an audit is for: marker evaluation on a target and platform.

>>> marker_applies('python_version >= "3.12"', "3.14t", "manylinux_x86_64")
True
>>> marker_applies('sys_platform == "win32"', "3.14t", "manylinux_x86_64")
False
"""

from __future__ import annotations

__all__ = ["marker_applies", "marker_environment"]

#: (marker, target, platform) -> whether it applies: a lock repeats its markers.
_APPLIES: dict[tuple[str, str, str], bool] = {}


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


def marker_applies(marker: str, target: str, platform: str) -> bool:
    """Whether a requirement with ``marker`` is installed on ``target`` × ``platform``.

    Markers that cannot be evaluated (unknown variables) count as applying.
    """
    if not marker:
        return True
    key = (marker, target, platform)
    applies = _APPLIES.get(key)
    if applies is None:
        applies = _APPLIES[key] = _evaluate(marker, target, platform)
    return applies


def _evaluate(marker: str, target: str, platform: str) -> bool:
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison

    try:
        return bool(Marker(marker).evaluate(marker_environment(target, platform)))
    except (InvalidMarker, UndefinedComparison, ValueError, KeyError, TypeError):
        return True
