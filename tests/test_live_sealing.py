"""The reference client's sealing (clients/web/sealing.js) in a real Chromium, against an
independent Python implementation of the scheme in docs/live.md: X25519, HKDF-SHA256 (salt the
session id, info "therapyhub signal v1"), AES-256-GCM with "<sessionId>|<sender key>" as
additional data, and the safety code. An SPA written from the documentation alone talks to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from nacl.public import PrivateKey

from tests.app_process import served_app
from tests.browsers import ASYNC_LIMIT_MS, chromium, require_browser_tools
from tests.live_scheme import b64url, open_sealed, safety_code, seal, signal_key, unb64url

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

SESSION_ID = "U2Vzc2lvbjpkZW1v"

BROWSER_SEALS = """async ({ sessionId, peerKey, message }) => {
  const sealing = await import("/live/sealing.js");
  window.device = await sealing.newDeviceKey();
  window.signalKey = await sealing.signalKey(window.device, peerKey, sessionId);
  return {
    publicKey: window.device.publicKeyText,
    sealed: await sealing.seal(window.signalKey, sessionId, window.device.publicKeyText, message),
    safetyCode: await sealing.safetyCode(window.device.publicKeyText, peerKey),
  };
}"""

BROWSER_OPENS = """async ({ sessionId, senderKey, payload }) => {
  const sealing = await import("/live/sealing.js");
  try {
    return { message: await sealing.open(window.signalKey, sessionId, senderKey, payload) };
  } catch (error) {
    return { refused: error.name };
  }
}"""


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    require_browser_tools(turn=False)
    async with chromium() as launched:
        yield launched


async def _page(browser: Browser, base: str) -> Page:
    context = await browser.new_context()
    context.set_default_timeout(ASYNC_LIMIT_MS)
    page = await context.new_page()
    await page.goto(f"{base}/live/")
    return page


async def test_the_reference_client_seals_and_opens_like_the_documented_scheme(
        database_url: str, browser: Browser, tmp_path: Path):
    python_device = PrivateKey.generate()
    python_public = b64url(bytes(python_device.public_key))
    offer = {"type": "offer", "attempt": "a1", "sdp": "v=0\r\na=fingerprint:sha-256 AB:CD\r\n"}

    async with served_app(database_url, tmp_path / "app.log") as base:
        page = await _page(browser, base)
        from_browser = await page.evaluate(BROWSER_SEALS, {
            "sessionId": SESSION_ID, "peerKey": python_public, "message": offer})
        browser_public = from_browser["publicKey"]
        key = signal_key(python_device, unb64url(browser_public), SESSION_ID)
        answer = {"type": "answer", "attempt": "a1", "sdp": "v=0\r\n"}
        sealed = seal(key, SESSION_ID, python_public, answer)

        opened = await page.evaluate(BROWSER_OPENS, {
            "sessionId": SESSION_ID, "senderKey": python_public, "payload": sealed})
        tampered = bytearray(unb64url(sealed))
        tampered[-1] ^= 1
        altered = await page.evaluate(BROWSER_OPENS, {
            "sessionId": SESSION_ID, "senderKey": python_public,
            "payload": b64url(bytes(tampered))})
        other_session = await page.evaluate(BROWSER_OPENS, {
            "sessionId": "U2Vzc2lvbjpvdGhlcg", "senderKey": python_public, "payload": sealed})
        reflected = await page.evaluate(BROWSER_OPENS, {  # its own blob sent back to it
            "sessionId": SESSION_ID, "senderKey": python_public,
            "payload": from_browser["sealed"]})

    assert len(unb64url(browser_public)) == 32
    assert open_sealed(key, SESSION_ID, browser_public, from_browser["sealed"]) == offer
    assert opened == {"message": answer}
    assert altered == other_session == reflected == {"refused": "OperationError"}
    assert from_browser["safetyCode"] == safety_code(browser_public, python_public)
