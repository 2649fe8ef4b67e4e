"""The reference web client is served at /live/ in development and test, never in production."""

from __future__ import annotations

import httpx
import pytest

from app import create_app
from routes.live_client import GRAPHQL_WS_BROWSER_BUILD
from settings import Settings
from tests.browsers import require


async def _get(settings: Settings, path: str) -> httpx.Response:
    app = create_app(settings, manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000") as client:
        return await client.get(path)


async def test_the_reference_client_page_and_its_modules_are_served_outside_production(settings):
    page = await _get(settings, "/live/")
    script = await _get(settings, "/live/live.js")

    assert page.status_code == 200
    assert "<title>Live session" in page.text
    assert '<script type="module" src="live.js">' in page.text
    assert script.status_code == 200
    # Browsers run a module script only when it is served as JavaScript.
    assert script.headers["content-type"].startswith("text/javascript")
    assert "newDeviceKey" in script.text


async def test_the_graphql_ws_browser_build_is_served_from_the_pinned_package(settings):
    require("The graphql-ws browser build", (GRAPHQL_WS_BROWSER_BUILD / "client.js").exists(),
            "npm ci in clients/")
    client = await _get(settings, "/live/vendor/graphql-ws/client.js")

    assert client.status_code == 200
    assert client.headers["content-type"].startswith("text/javascript")
    assert "export { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL" in client.text
    # Its only import is a sibling chunk, which must be served too.
    chunk = client.text.split("from './", 1)[1].split("'", 1)[0]
    assert (await _get(settings, f"/live/vendor/graphql-ws/{chunk}")).status_code == 200


@pytest.mark.parametrize("path", ["/live/", "/live/index.html", "/live/live.js",
                                  "/live/vendor/graphql-ws/client.js"])
async def test_production_does_not_serve_the_reference_client(settings, path):
    production = settings.with_changes(environment="production")

    assert (await _get(production, path)).status_code == 404
