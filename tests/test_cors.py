"""Browsers' CORS preflights: an origin the server is not configured for gets an answer that
says how to fix it, not a bare 405."""

from __future__ import annotations

import httpx

from app import create_app
from settings import Settings

PREFLIGHT = {
    "Origin": "https://spa.example.org",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


async def _options(settings: Settings, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        return await http.options("/graphql", headers=headers)


async def test_a_preflight_without_cors_origins_says_to_list_the_origin(settings):
    response = await _options(settings, PREFLIGHT)
    assert response.status_code == 403
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "ORIGIN_NOT_ALLOWED"
    assert "CORS_ORIGINS" in error["message"]
    assert "spa.example.org" not in response.text
    assert "access-control-allow-origin" not in response.headers


async def test_a_listed_origin_passes_its_preflight(settings):
    listed = settings.with_changes(cors_origins=("https://spa.example.org",))
    response = await _options(listed, PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://spa.example.org"


async def test_options_without_a_preflight_names_the_methods(settings):
    response = await _options(settings, {})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
