"""fttrack: probe-backed free-threading verdicts for Python packages.

``tracker`` is the core: models, interpreters, the sandboxed probe, the index
client, the store, the API and the auditor. It never imports ``textual`` or
``tui``; the TUI builds on top of it.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
