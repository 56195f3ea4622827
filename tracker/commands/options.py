"""Click option helpers shared by several commands."""

from __future__ import annotations

import click

from tracker.models import Target, get_target

__all__ = ["parse_target"]


def parse_target(_ctx: click.Context, _param: click.Parameter, value: str) -> Target:
    """Click callback: a target name (``3.14t``, ``3.14``, ``cp314t``) as a :class:`Target`."""
    try:
        return get_target(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
