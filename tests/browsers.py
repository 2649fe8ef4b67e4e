"""Headless Chromium (Debian's `chromium`) driven by Playwright, and the pieces the live-session
browser tests need that are not Python packages.

`.ci/run` installs them (apt-get: chromium, coturn; npm ci in clients/). Under CI=true a missing
piece fails the test; elsewhere the test is skipped with a message that says what to install.
Playwright must never download a browser of its own (no internet): it gets `executable_path`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

from routes.live_client import GRAPHQL_WS_BROWSER_BUILD
from tests.turn_server import turnserver_path

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # Debian's chromium runs as root here
    "--use-fake-device-for-media-stream",  # a synthetic camera and microphone
    "--use-fake-ui-for-media-stream",  # allow them without a permission prompt
]
ASYNC_LIMIT_MS = 60_000
"""Playwright's bound for anything a page waits for: generous, for a loaded 2-core machine."""


def require(what: str, present: bool, how: str) -> None:
    if present:
        return
    message = f"{what} is missing ({how}): the live-session browser test was skipped."
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing ({how}); CI must install it (.ci/run).")
    pytest.skip(message)


def require_browser_tools(*, turn: bool = True) -> None:
    require("Chromium", os.access(CHROMIUM, os.X_OK), "apt-get install chromium")
    if turn:
        require("coturn", turnserver_path() is not None, "apt-get install coturn")
    require("The graphql-ws browser build", (GRAPHQL_WS_BROWSER_BUILD / "client.js").exists(),
            "npm ci in clients/")
    require("Playwright", importlib.util.find_spec("playwright") is not None,
            "the dev extra of pyproject.toml")


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """One browser; each participant gets a context of their own (separate cookies, storage
    and media permissions), as two people on two machines would."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()

