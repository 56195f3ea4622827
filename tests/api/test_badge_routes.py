"""Badges: the shields.io endpoint JSON (exactly its keys) and fttrack's own SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote

import jsonschema_rs
import pytest

from tests.api.conftest import TestClient
from tracker.badge_render import COLORS, render_svg, text_width

# The shields.io endpoint badge schema, restricted to the keys fttrack may send.
SHIELDS_ENDPOINT = {
    "type": "object",
    "required": ["schemaVersion", "label", "message", "color"],
    "additionalProperties": False,
    "properties": {
        "schemaVersion": {"const": 1},
        "label": {"type": "string"},
        "message": {"type": "string", "minLength": 1},
        "color": {"type": "string", "minLength": 1},
        "cacheSeconds": {"type": "integer", "minimum": 300},
    },
}
VALIDATOR = jsonschema_rs.validator_for(SHIELDS_ENDPOINT)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("name", "target", "message", "color"),
    [
        ("numpy", "3.14t", "gil-reenabled", "orange"),
        ("numpy", "3.15t", "wheel-only", "yellow"),
        ("NumPy", "3.13t", "no-ft-wheel", "lightgrey"),
        ("six", "3.14t", "pure", "green"),
        ("legacy-pkg", "3.13t", "sdist-only", "lightgrey"),
    ],
)
def test_endpoint_badge(
    client: TestClient, name: str, target: str, message: str, color: str
) -> None:
    response = client.get(f"/badges/{name}.json", params={"target": target})
    assert response.status_code == 200
    body = response.json()
    VALIDATOR.validate(body)
    assert set(body) == {"schemaVersion", "label", "message", "color", "cacheSeconds"}
    assert (body["label"], body["message"], body["color"]) == (
        f"free-threaded {target}",
        message,
        color,
    )
    assert "max-age" in response.headers["cache-control"]


def test_default_target_is_3_14t(client: TestClient) -> None:
    assert client.get("/badges/numpy.json").json()["label"] == "free-threaded 3.14t"


def test_untracked_project_gets_a_grey_badge_and_200(client: TestClient) -> None:
    """shields.io shows "not found" for any 404 without reading the body: answer 200."""
    for name in ("not-tracked", "num\x00py", "9" * 4301):
        response = client.get(f"/badges/{quote(name)}.json")
        assert response.status_code == 200
        VALIDATOR.validate(response.json())
        assert response.json()["message"] == "not tracked"
        assert response.json()["color"] == "lightgrey"
        svg = client.get(f"/badges/{quote(name)}.svg")
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        assert "not tracked" in svg.text


def test_bad_target_is_a_grey_badge(client: TestClient) -> None:
    answer = client.get("/badges/numpy.json", params={"target": "3.12"})
    assert answer.status_code == 200 and answer.json()["color"] == "lightgrey"
    assert answer.json()["message"] == "unknown target '3.12'"


def test_svg_badge_is_well_formed_and_coloured(client: TestClient) -> None:
    response = client.get("/badges/six.svg", params={"target": "3.15t"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.text)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "free-threaded 3.15t: pure"  # type: ignore[union-attr]
    fills = [rect.get("fill") for rect in root.iter(f"{SVG}rect")]
    assert "#97ca00" in fills  # green
    assert int(root.get("width", "0")) > 100


def test_svg_text_is_escaped() -> None:
    svg = render_svg('<script>&"', "ready", "brightgreen")
    root = ET.fromstring(svg)  # parses: nothing was injected
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert '<script>&"' in texts
    assert "<script>" not in svg


def test_every_status_has_a_colour_and_widths_grow() -> None:
    from tracker.vocabulary import Status, colour

    assert all(colour(s).badge in COLORS for s in Status)
    assert text_width("gil-reenabled") > text_width("ready") > 0
