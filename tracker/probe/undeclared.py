"""Undeclared dependencies: an import name a package needs, and the distribution to install.

Some packages import a distribution they do not declare (torchaudio needs
torch; cuda-bindings imports numpy). The probe then sees a
``ModuleNotFoundError`` for a top-level name that no installed distribution
provides. :func:`distribution_for` names the distribution to try: a short
map of well-known import names that differ from their project's name, else
the import name itself (a project of that normalised name on the index).

>>> distribution_for("PIL"), distribution_for("numpy"), distribution_for("json")
('pillow', 'numpy', None)
>>> distribution_for("_zstd") is None  # a private module: the interpreter lacks it
True
>>> missing_top_level("No module named 'yaml.constructor'")
'yaml'
"""

from __future__ import annotations

import re
import sys

__all__ = ["WELL_KNOWN", "distribution_for", "missing_top_level"]

#: Import names whose distribution has another name.
WELL_KNOWN: dict[str, str] = {
    "PIL": "pillow",
    "yaml": "pyyaml",
    "cv2": "opencv-python",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "attr": "attrs",
    "Crypto": "pycryptodome",
    "OpenSSL": "pyopenssl",
    "jwt": "pyjwt",
    "serial": "pyserial",
    "usb": "pyusb",
    "zmq": "pyzmq",
    "dotenv": "python-dotenv",
    "git": "gitpython",
    "docx": "python-docx",
    "magic": "python-magic",
    "distutils": "setuptools",  # gone from the standard library since 3.12
    "pkg_resources": "setuptools",
}

#: Standard-library top-level names added after the Python fttrack itself may run on.
_NEWER_STDLIB = frozenset({"annotationlib", "compression", "tomllib", "_interpreters"})

_NO_MODULE = re.compile(r"No module named '([^']+)'")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def missing_top_level(message: str) -> str | None:
    """The top-level name of the module a ``ModuleNotFoundError`` message names."""
    match = _NO_MODULE.search(message)
    return match.group(1).split(".")[0] if match else None


def distribution_for(import_name: str) -> str | None:
    """The distribution to install for a missing top-level ``import_name``, or None when
    there is none to try: a standard-library module (of this Python or a newer one), a
    private name (``_zstd``: a standard-library extension the interpreter was built
    without, never a project to guess), or not a plain name."""
    if import_name in WELL_KNOWN:
        return WELL_KNOWN[import_name]
    if not _NAME.match(import_name) or import_name.startswith("_"):
        return None
    if import_name in sys.stdlib_module_names or import_name in _NEWER_STDLIB:
        return None
    return import_name
