"""Two real browsers hold a live session through the reference web client (clients/web/).

The app runs as its own process with TURN settings pointing at a real coturn; each participant
opens /live/ in their own headless Chromium context, signs in, joins and calls the other with
every packet relayed (`iceTransportPolicy=relay`), which only works when coturn accepts the
credentials joinSession handed out. What travels through our server is captured on the wire
(the pages' sendSignal requests and the websocket frames they receive) and must be sealed.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from nacl.public import PrivateKey

from models.live import CallParticipant, ParticipantRole
from models.scheduling import SessionStatus
from schema.core.ids import global_id
from tests.app_process import served_app
from tests.browsers import ASYNC_LIMIT_MS, chromium, require_browser_tools
from tests.helpers import PASSWORD
from tests.hub_steps import add_session, client, connect, node_uuid, practice
from tests.live_scheme import b64url, safety_code, unb64url
from tests.turn_server import TurnServer

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Request, WebSocket

SHORT_CREDENTIAL_SECONDS = 5
SDP_MARKERS = ("v=0", "a=fingerprint", "a=ice-ufrag", "candidate:")

VIDEO_FRAMES_DECODED = """async () => {
  let frames = 0;
  (await window.liveCall.pc.getStats()).forEach((report) => {
    if (report.type === "inbound-rtp" && report.kind === "video") {
      frames += report.framesDecoded ?? 0;
    }
  });
  return frames;
}"""

SELECTED_PAIR = """async () => {
  const stats = new Map();
  (await window.liveCall.pc.getStats()).forEach((report) => stats.set(report.id, report));
  const transport = [...stats.values()].find((report) => report.type === "transport");
  const pair = stats.get(transport.selectedCandidatePairId);
  return { state: pair.state, local: stats.get(pair.localCandidateId),
           remote: stats.get(pair.remoteCandidateId) };
}"""

# What a browser learns from one TURN server and one credential: a relay candidate, or errors.
GATHER_RELAY_CANDIDATES = """async (server) => {
  const pc = new RTCPeerConnection({ iceServers: [server], iceTransportPolicy: "relay" });
  const found = { relays: [], errors: [] };
  pc.onicecandidate = ({ candidate }) => {
    if (candidate?.type === "relay") found.relays.push(`${candidate.address}:${candidate.port}`);
  };
  pc.onicecandidateerror = (event) => found.errors.push(event.errorCode);
  pc.createDataChannel("probe");
  await pc.setLocalDescription();
  await new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
  });
  pc.close();
  return found;
}"""

JOIN = """mutation($input: JoinSessionInput!) {
  joinSession(input: $input) {
    call { iceServers { urls username credential } }
    userErrors { field message code }
  }
}"""


@pytest.fixture(scope="module")
def turn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TurnServer]:
    require_browser_tools()
    with TurnServer.running(tmp_path_factory.mktemp("turn")) as server:
        yield server


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    require_browser_tools()
    async with chromium() as launched:
        yield launched


@dataclass
class Wire:
    """What one page sent to and received from our server during the call."""

    sent_signals: list[str] = field(default_factory=list)
    device_keys: list[str] = field(default_factory=list)
    relayed: list[dict[str, Any]] = field(default_factory=list)
    binary_frames: int = 0

    def watch(self, page: Page) -> None:
        page.on("request", self._request)
        page.on("websocket", self._websocket)

    def _request(self, request: Request) -> None:
        if request.method != "POST" or not request.url.endswith("/graphql"):
            return
        body = request.post_data_json
        variables = body.get("variables") or {}
        if "sendSignal(" in body["query"]:
            self.sent_signals.append(variables["input"]["payload"])
        if "joinSession(" in body["query"]:
            self.device_keys.append(variables["input"]["devicePublicKey"])

    def _websocket(self, socket: WebSocket) -> None:
        socket.on("framereceived", self._frame)

    def _frame(self, frame: str | bytes) -> None:
        if isinstance(frame, bytes):  # the npm client would close on these (PITFALLS.md)
            self.binary_frames += 1
            return
        message = json.loads(frame)
        if message.get("type") == "next":
            self.relayed.append(message["payload"]["data"]["signals"])

    def relayed_payloads(self) -> list[str]:
        return [event["payload"] for event in self.relayed if event["kind"] == "SIGNAL"]


def _professional_zone() -> str:
    """The practice lists this week's sessions in the professional's zone: keep "now" well
    inside a local day, whatever time the test runs."""
    return "Atlantic/Reykjavik" if 1 <= datetime.now(UTC).hour < 22 else "Asia/Tokyo"


async def _session_about_to_start(api: Any) -> str:
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"],
                            time_zone=_professional_zone())
    anna = await client(api, "anna@example.com", "Anna")
    engagement = await connect(api, anna, sigrun, "Counselling")
    session = await add_session(engagement, datetime.now(UTC) + timedelta(minutes=2),
                                SessionStatus.SCHEDULED)
    return global_id("Session", session.id)


async def _open_page(browser: Browser, base: str, wire: Wire) -> Page:
    context = await browser.new_context()
    context.set_default_timeout(ASYNC_LIMIT_MS)
    page = await context.new_page()
    wire.watch(page)
    page.on("console", lambda message: print(f"[page] {message.text}"))
    await page.goto(f"{base}/live/?iceTransportPolicy=relay")
    return page


async def _sign_in_and_join(page: Page, email: str, session_id: str) -> None:
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.locator(f'li[data-session-id="{session_id}"]').get_by_role(
        "button", name="Join").click()
    await page.wait_for_function("() => window.liveCall !== undefined")


async def _wait_for_text(page: Page, selector: str, pattern: str) -> str:
    await page.wait_for_function(
        "([selector, pattern]) => new RegExp(pattern).test("
        "document.querySelector(selector).textContent)",
        arg=[selector, pattern], polling=200)
    return await page.locator(selector).text_content() or ""


async def test_client_and_professional_connect_through_our_turn_with_sealed_signalling(
        api, database_url: str, turn: TurnServer, browser: Browser, tmp_path: Path):
    session_id = await _session_about_to_start(api)
    async with served_app(database_url, tmp_path / "app.log", TURN_URLS=turn.url,
                          TURN_SECRET=turn.secret, STUN_URLS="") as base:
        pro_wire, client_wire = Wire(), Wire()
        pro = await _open_page(browser, base, pro_wire)
        anna = await _open_page(browser, base, client_wire)

        await _sign_in_and_join(pro, "sigrun@example.com", session_id)
        await _sign_in_and_join(anna, "anna@example.com", session_id)

        await _connected(pro, anna)
        await _chat(pro, anna, "Hello Anna, can you hear me?")
        await _chat(anna, pro, "Yes, loud and clear")
        for page in (pro, anna):  # each side decodes the other's (fake) camera
            await page.wait_for_function(f"({VIDEO_FRAMES_DECODED})().then((n) => n > 0)",
                                         polling=500)
            await _assert_relayed_through(page, turn)
        first_code = await _same_safety_code(pro, anna, pro_wire, client_wire)

        # Anna reloads the page: a new device key, a new safety code, and the call comes back.
        await anna.reload()
        await _sign_in_and_join(anna, "anna@example.com", session_id)
        # Until Sigrún's page hears the new key it still shows the old, stale connection.
        await pro.wait_for_function("(key) => window.liveCall.peer?.devicePublicKey === key",
                                    arg=client_wire.device_keys[-1])
        await _connected(pro, anna)
        await _chat(anna, pro, "Sorry, my page reloaded")
        assert await _same_safety_code(pro, anna, pro_wire, client_wire) != first_code
        # The keys the server hands each side (stored with the attendance) are the ones the
        # pages sent: what the safety code vouches for.
        stored = {row.role: row.device_public_key for row in await CallParticipant.filter(
            session_id=node_uuid(session_id))}
        assert stored == {ParticipantRole.PROFESSIONAL: pro_wire.device_keys[-1],
                          ParticipantRole.CLIENT: client_wire.device_keys[-1]}

    _assert_signalling_was_sealed(pro_wire, client_wire)


async def _connected(*pages: Page) -> None:
    for page in pages:
        await _wait_for_text(page, "#connection-state", "^connected$")
        assert await page.evaluate("window.liveCall.pc?.connectionState") == "connected"


async def _chat(sender: Page, receiver: Page, text: str) -> None:
    """A line over the data channel: peer to peer, never through our server."""
    await sender.fill("#message", text)
    await sender.get_by_role("button", name="Send").click()
    await _wait_for_text(receiver, "#messages", re.escape(text))


async def _assert_relayed_through(page: Page, turn: TurnServer) -> None:
    pair = await page.evaluate(SELECTED_PAIR)
    assert pair["state"] == "succeeded"
    assert pair["local"]["candidateType"] == "relay"
    assert pair["local"]["relayProtocol"] == "udp"
    assert pair["local"]["url"] == turn.url
    assert pair["local"]["address"] == "127.0.0.1"
    assert pair["local"]["port"] in turn.relay_ports
    assert pair["remote"]["candidateType"] == "relay"
    assert pair["remote"]["port"] in turn.relay_ports
    assert "relayed through" in (await page.locator("#route").text_content() or "")


async def _same_safety_code(pro: Page, anna: Page, pro_wire: Wire, client_wire: Wire) -> str:
    """Both pages show one code, the one computed here from the device keys each page sent
    in its latest joinSession."""
    pro_key, anna_key = pro_wire.device_keys[-1], client_wire.device_keys[-1]
    expected = safety_code(pro_key, anna_key)
    for page in (pro, anna):
        assert await _wait_for_text(page, "#safety-code", re.escape(expected)) == expected
    assert await pro.evaluate("window.liveCall.peer.devicePublicKey") == anna_key
    assert await anna.evaluate("window.liveCall.peer.devicePublicKey") == pro_key
    return expected


def _assert_signalling_was_sealed(pro: Wire, client: Wire) -> None:
    """Offers, answers and candidates went through the server, and none of it was readable:
    each relayed blob is exactly one the other side sent, with no SDP inside."""
    assert pro.binary_frames == client.binary_frames == 0
    assert len(pro.sent_signals) >= 2  # at least the offer and a relay candidate
    assert len(client.sent_signals) >= 2  # at least the answer and a relay candidate
    assert set(client.relayed_payloads()) <= set(pro.sent_signals)
    assert set(pro.relayed_payloads()) <= set(client.sent_signals)
    assert client.relayed_payloads()
    assert pro.relayed_payloads()
    for payload in pro.sent_signals + client.sent_signals:
        sealed = unb64url(payload)
        assert len(sealed) >= 12 + 16  # nonce and GCM tag at least
        for marker in SDP_MARKERS:
            assert marker not in payload
            assert marker.encode() not in sealed


def _turn_server(ice_servers: list[dict[str, Any]]) -> dict[str, Any]:
    [server] = [s for s in ice_servers if any(u.startswith("turn:") for u in s["urls"])]
    return server


async def _join_over_http(base: str, email: str, session_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as http:
        login = (await http.post("/graphql", json={
            "query": "mutation($input: LoginInput!) { login(input: $input) { token } }",
            "variables": {"input": {"email": email, "password": PASSWORD}},
        })).json()["data"]["login"]
        device_key = b64url(bytes(PrivateKey.generate().public_key))
        joined = (await http.post("/graphql", json={
            "query": JOIN,
            "variables": {"input": {"sessionId": session_id, "devicePublicKey": device_key}},
        }, headers={"Authorization": f"Bearer {login['token']}"})).json()
    payload = joined["data"]["joinSession"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return _turn_server(payload["call"]["iceServers"])


async def test_coturn_accepts_a_joinsession_credential_and_refuses_it_wrong_or_expired(
        api, database_url: str, turn: TurnServer, browser: Browser, tmp_path: Path):
    session_id = await _session_about_to_start(api)
    page = await (await browser.new_context()).new_page()
    async with served_app(database_url, tmp_path / "app.log", TURN_URLS=turn.url,
                          TURN_SECRET=turn.secret, STUN_URLS="",
                          TURN_CREDENTIAL_SECONDS=str(SHORT_CREDENTIAL_SECONDS)) as base:
        for _ in range(5):
            server = await _join_over_http(base, "anna@example.com", session_id)
            fresh = await page.evaluate(GATHER_RELAY_CANDIDATES, server)
            if time.time() < _expiry(server):
                break  # gathered while the credential was valid: the answer counts
        else:
            raise AssertionError("each credential expired before the browser could use it")
    wrong = await page.evaluate(GATHER_RELAY_CANDIDATES,
                                {**server, "credential": server["credential"][::-1]})
    # Wait until the expiry is behind coturn's clock too, then use the same credential again.
    await asyncio.sleep(max(0.0, _expiry(server) - time.time() + 1.5))
    expired = await page.evaluate(GATHER_RELAY_CANDIDATES, server)

    assert fresh["errors"] == []
    assert [relay.split(":")[0] for relay in fresh["relays"]] == ["127.0.0.1"]
    assert int(fresh["relays"][0].split(":")[1]) in turn.relay_ports
    assert (wrong["relays"], wrong["errors"]) == ([], [401])
    assert (expired["relays"], expired["errors"]) == ([], [401]), turn.log_text()


def _expiry(server: dict[str, Any]) -> int:
    """TURN REST usernames are `<unix expiry>:<id>`."""
    return int(server["username"].split(":", 1)[0])
