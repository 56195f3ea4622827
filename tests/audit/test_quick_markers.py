"""The quick marker evaluation answers what packaging.markers answers, or steps aside."""

from __future__ import annotations

import itertools

import pytest
from packaging.markers import Marker

from tracker.audit.environment import marker_environment, quick_marker
from tracker.audit.sources import open_source
from tracker.platforms import PLATFORMS

from .helpers import LOCKFILES

CRAFTED = [
    "python_version >= '3.9'",
    'python_version >= "3.8"',
    "python_version < '3.14' and platform_python_implementation == 'CPython'",
    "python_full_version == '3.14.*'",
    "python_full_version != '3.14.*'",
    "python_full_version == '3.*'",
    "python_version == '3.14.0.*'",
    "python_version == '3.14.1.*'",
    "python_full_version >= '3.11.5' and python_full_version < '3.12'",
    "python_full_version > '3.14'",
    "python_full_version <= '3.14'",
    "python_version == '3.14'",
    "python_version == '3.14.0'",
    "python_version != '3.15'",
    "(sys_platform == 'win32' or sys_platform == 'darwin') and platform_machine != 'arm64'",
    "sys_platform == 'linux' and (platform_machine == 'x86_64' or platform_machine == 'aarch64')",
    "os_name == 'nt' or implementation_name == 'pypy' or platform_system == 'Darwin'",
    "((python_version >= '3.13'))",
    "python_version >= '3.13' and python_version < '3.15' or sys_platform == 'win32'",
    "sys_platform == 'win32' or python_version >= '3.13' and python_version < '3.14'",
    # left to packaging (None), or not valid markers at all
    "'dev' in dependency_groups",
    "python_version ~= '3.13'",
    "python_version === '3.14'",
    "python_version > '3.*'",
    "python_version >= '3.14rc1'",
    "'3.12' < python_version",
    "sys_platform < 'win32'",
    "platform_release >= '6'",
    "extra == 'socks'",
    "python_version >= '3.9' AND sys_platform == 'linux'",
    "python_version >= '3.9' and",
    "(python_version >= '3.9'",
    "python_version >= '3.9')",
    "sys_platform in 'linux win32'",
]


def _fixture_markers() -> list[str]:
    markers: set[str] = set()
    for path in sorted(p for p in LOCKFILES.rglob("*") if p.is_file()):
        if path.suffix in (".sh", ".json") or (
            "pyproject" in path.name and (path.parent != LOCKFILES or path.name != "pyproject.toml")
        ):
            continue  # the projects beside the locks are read as the locks' roots
        source = open_source(str(path)).source
        markers.update(d.markers for d in source if d.markers)
        graph = getattr(source, "graph", None)  # the edges' markers too
        for node in graph.nodes if graph is not None else ():
            edges = [*node.edges, *(e for es in node.extras.values() for e in es)]
            markers.update(e.marker for e in edges if e.marker)
    return sorted(markers)


def _packaging(marker: str, environment: dict[str, str]) -> bool:
    try:
        return bool(Marker(marker).evaluate(environment))
    except Exception:
        return True  # as marker_applies counts markers it cannot evaluate


@pytest.mark.parametrize("marker", CRAFTED + _fixture_markers())
def test_quick_markers_agree_with_packaging(marker: str) -> None:
    answered = 0
    for target, platform in itertools.product(("3.13t", "3.14t", "3.15t"), PLATFORMS):
        environment = marker_environment(target, platform)
        quick = quick_marker(marker, environment)
        if quick is not None:
            answered += 1
            assert quick == _packaging(marker, environment), (target, platform)
    assert answered in (0, 3 * len(PLATFORMS))


def test_the_common_markers_are_answered_without_packaging() -> None:
    environment = marker_environment("3.14t", "manylinux_x86_64")
    assert all(quick_marker(m, environment) is not None for m in CRAFTED[:20])
    assert all(quick_marker(m, environment) is None for m in CRAFTED[20:])
