"""OpenAPI for the routes that answer with msgspec structs.

:func:`json_response` gives a route's ``responses`` entry pointing at a
struct's schema; :func:`install` makes ``/openapi.json`` include the JSON
Schema of every such struct (from :func:`msgspec.json.schema_components`, the
same structs the routes encode), so the published schema is the real shape.
"""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from tracker.api.schemas import RESPONSE_STRUCTS
from tracker.documents import ProjectDocument, SummaryFeed

__all__ = ["STRUCTS", "install", "json_response"]

_REF = "#/components/schemas/{name}"
#: Every struct a route answers with.
STRUCTS: tuple[type[msgspec.Struct], ...] = (ProjectDocument, SummaryFeed, *RESPONSE_STRUCTS)


def json_response(struct: type[msgspec.Struct], description: str) -> dict[str, Any]:
    """A ``responses`` entry: JSON shaped like ``struct``."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF.format(name=struct.__name__)}}},
    }


def install(app: FastAPI) -> None:
    """Add the structs' schemas to the app's OpenAPI components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _, components = msgspec.json.schema_components(STRUCTS, ref_template=_REF)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
