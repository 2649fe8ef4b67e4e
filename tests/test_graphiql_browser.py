"""GraphiQL at /graphql in headless Chromium with no network beyond the app.

The page must come up from the app's own files (routes/graphiql.py): its editor shows, a query
runs and answers with data, the bearer header typed in its headers editor signs the requests
in, and a subscription signs in through the websocket's connection_init.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from routes.graphiql import graphiql_page, missing_assets
from tests.app_process import served_app
from tests.browsers import ASYNC_LIMIT_MS, CHROMIUM, chromium, require
from tests.hub_steps import client

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Route, WebSocket

EDITOR = ".graphiql-container .graphiql-query-editor .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"
HEADERS = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"

RESPONSE_TEXT = f"() => document.querySelector({RESPONSE!r})?.CodeMirror.getValue() ?? ''"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    require("Chromium", os.access(CHROMIUM, os.X_OK), "apt-get install chromium")
    require("Playwright", importlib.util.find_spec("playwright") is not None,
            "the dev extra of pyproject.toml")
    require("GraphiQL's npm packages", not missing_assets(), "npm ci in clients/")
    async with chromium() as launched:
        yield launched


class Offline:
    """Lets requests to the app through and refuses (and records) any other."""

    def __init__(self) -> None:
        self.refused: list[str] = []
        self.frames_sent: list[dict[str, Any]] = []
        self.frames_received: list[dict[str, Any]] = []

    async def route(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
            return
        self.refused.append(route.request.url)
        await route.abort("internetdisconnected")

    def websocket(self, socket: WebSocket) -> None:
        socket.on("framesent", lambda frame: self.frames_sent.append(json.loads(frame)))
        socket.on("framereceived",
                  lambda frame: self.frames_received.append(json.loads(frame)))


async def _open(browser: Browser, base: str, offline: Offline) -> Page:
    context = await browser.new_context()
    context.set_default_timeout(ASYNC_LIMIT_MS)
    await context.route("**/*", offline.route)
    page = await context.new_page()
    page.on("websocket", offline.websocket)
    page.on("console", lambda message: print(f"[page] {message.text}"))
    await page.goto(f"{base}/graphql")
    await page.wait_for_selector(EDITOR)
    return page


async def _type(page: Page, editor: str, text: str) -> None:
    await page.locator(editor).click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(text)


async def _run(page: Page, name: str, query: str, headers: str, until: str
               ) -> dict[str, Any]:
    """Types `query` in a freshly loaded page: GraphiQL 3.8 keeps sending the name of the
    operation it last ran with the next document typed on the same page load."""
    await page.reload()
    await page.wait_for_selector(EDITOR)
    await _type(page, EDITOR, query)
    # The headers editor is open as the page opens.
    await _type(page, HEADERS, headers)
    await page.wait_for_function(
        "(name) => JSON.parse(localStorage['graphiql:tabState']).tabs.some("
        "(tab) => tab.operationName === name)", arg=name, polling=100)
    await page.locator(".graphiql-execute-button").click()
    try:
        await page.wait_for_function(f"() => ({RESPONSE_TEXT})().includes({until!r})",
                                     polling=200)
    finally:
        print(await page.evaluate(RESPONSE_TEXT))
    return json.loads(await page.evaluate(RESPONSE_TEXT))


async def test_graphiql_runs_offline_with_the_bearer_header_and_connection_init(
        api, database_url: str, browser: Browser, tmp_path: Path):
    token = await client(api, "anna@example.com", "Anna")
    offline = Offline()
    async with served_app(database_url, tmp_path / "app.log") as base:
        page = await _open(browser, base, offline)
        assert "Loading..." not in await page.locator("body").inner_text()
        assert "did not run" not in await page.locator("body").inner_text()

        # The start tab runs signed out as it opens.
        await page.locator(".graphiql-execute-button").click()
        await page.wait_for_function(f"() => ({RESPONSE_TEXT})().includes('data')")
        assert json.loads(await page.evaluate(RESPONSE_TEXT)) == {
            "data": {"cardPaymentsEnabled": False, "viewer": None}}

        bearer = json.dumps({"Authorization": f"Bearer {token}"})
        signed_in = await _run(page, "Me", "query Me { viewer { email } }", bearer, "email")
        assert signed_in == {"data": {"viewer": {"email": "anna@example.com"}}}

        listening = await _run(page, "Listen", "subscription Listen { hubUpdates { kind } }",
                               bearer, "LISTENING")
        assert listening == {"data": {"hubUpdates": {"kind": "LISTENING"}}}

    init = next(frame for frame in offline.frames_sent if frame["type"] == "connection_init")
    assert init["payload"]["Authorization"] == f"Bearer {token}"
    assert offline.frames_received[0]["type"] == "connection_ack"
    assert offline.refused == []


async def test_the_page_and_its_assets_allow_nothing_but_this_server(
        database_url: str, tmp_path: Path):
    async with served_app(database_url, tmp_path / "app.log") as base, \
            httpx.AsyncClient(base_url=base) as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "connect-src 'self';" in policy
        assert "http" not in policy
        assert "*" not in policy
        assert "unpkg" not in page.text
        assert "cdn" not in page.text.lower()
        script = await http.get("/graphiql/assets/graphiql.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith(("text/javascript",
                                                          "application/javascript"))
        assert (await http.get("/graphiql/assets/..%2Fpackage.json")).status_code == 404


def test_before_npm_ci_the_page_says_how_to_install_graphiql(tmp_path: Path):
    page = graphiql_page("/graphql", node_modules=tmp_path)
    assert page.status_code == 503
    text = page.body.decode()
    assert "npm ci" in text
    assert "graphiql/graphiql.min.js" in text
    assert "<script" not in text
