"""Output formats for an audit report: ``table``, ``json``, ``markdown``, ``github``.

Each format is a module with ``render(report, *, color=False, width=None) -> str``
and ``render_targets(multi, ...)`` for ``--target all``; :func:`get_renderer` and
:func:`get_multi_renderer` import only the one asked for (``json`` never loads rich).
"""

from __future__ import annotations

import importlib

from tracker.formats.interface import MultiRenderer, Renderer

__all__ = ["FORMAT_NAMES", "MultiRenderer", "Renderer", "get_multi_renderer", "get_renderer"]

#: format name -> module implementing it.
_MODULES = {
    "table": "tracker.formats.table",
    "json": "tracker.formats.json",
    "markdown": "tracker.formats.markdown",
    "github": "tracker.formats.github",
}

FORMAT_NAMES: tuple[str, ...] = tuple(_MODULES)


def get_renderer(name: str) -> Renderer:
    """The ``render`` function of format ``name``."""
    module = importlib.import_module(_MODULES[name])
    render: Renderer = module.render
    return render


def get_multi_renderer(name: str) -> MultiRenderer:
    """The ``render_targets`` function of format ``name`` (``--target all``)."""
    module = importlib.import_module(_MODULES[name])
    render: MultiRenderer = module.render_targets
    return render
