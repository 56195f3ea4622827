"""The HTTP API: projects, releases with probe history, the feed, badges, write routes."""

from __future__ import annotations

from tracker.api.app import create_app

__all__ = ["create_app"]
