"""fttrack's platform names: a leaf module, cheap to import (the auditor needs only this)."""

from __future__ import annotations

__all__ = ["DEFAULT_PLATFORM", "PLATFORMS"]

#: The platform fttrack probes on (and the default for audits on Linux x86_64).
DEFAULT_PLATFORM = "manylinux_x86_64"

#: Normalised platform names, in display order.
PLATFORMS: tuple[str, ...] = (
    "manylinux_x86_64",
    "manylinux_aarch64",
    "musllinux_x86_64",
    "musllinux_aarch64",
    "macosx_arm64",
    "macosx_x86_64",
    "win_amd64",
    "win_arm64",
    "win32",
)
