"""``/docs`` works without a network: Swagger UI comes from this server, not a CDN."""

from __future__ import annotations

import re

from tests.api.conftest import TestClient


def test_the_docs_page_loads_only_from_this_server(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert not re.search(r"""(src|href)=["']https?://""", page.text)  # nothing from elsewhere
    assets = re.findall(r"""(?:src|href)=["'](/docs-assets/[^"']+)["']""", page.text)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 500, asset
    assert "/openapi.json" in page.text
    assert client.get("/openapi.json").status_code == 200
