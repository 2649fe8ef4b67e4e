"""Steps the live-session tests take, as the SPA takes them: GraphQL over HTTP to a served app
and the `signals` subscription over a real websocket."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl.public import PrivateKey
from strawberry import relay

from models.scheduling import Session, SessionStatus
from tests.hub_steps import Practice, add_session, client, connect, practice
from tests.practice_steps import USER_ERRORS
from tests.ws_client import GraphQLWs, graphql_ws

PARTICIPANT = "role name present devicePublicKey firstJoinedAt joinedAt leftAt"
CALL = f"""sessionId role endsAt iceServers {{ urls username credential }}
  me {{ {PARTICIPANT} }} peer {{ {PARTICIPANT} }}"""
JOIN = f"""mutation($input: JoinSessionInput!) {{
  joinSession(input: $input) {{ call {{ {CALL} }} {USER_ERRORS} }} }}"""
LEAVE = f"""mutation($input: LeaveSessionInput!) {{
  leaveSession(input: $input) {{ call {{ {CALL} }} {USER_ERRORS} }} }}"""
SEND = f"""mutation($input: SendSignalInput!) {{
  sendSignal(input: $input) {{ accepted {USER_ERRORS} }} }}"""
SIGNALS = f"""subscription($sessionId: ID!) {{
  signals(sessionId: $sessionId) {{ kind sessionId payload peer {{ {PARTICIPANT} }} }} }}"""


def device_key() -> str:
    """A fresh X25519 public key, as a browser makes one per call."""
    raw = PrivateKey.generate().public_key.encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sealed_blob(size: int = 200) -> str:
    """Opaque bytes in base64url, as a sealed signal looks to the server."""
    import secrets

    return base64.urlsafe_b64encode(secrets.token_bytes(size)).rstrip(b"=").decode()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@dataclass
class Live:
    """A professional and a client with a session whose join window is open."""

    professional: Practice
    client_token: str
    session: Session
    session_id: str
    """The Session's global id."""


async def live_session(api: Any, *, starts_in: timedelta = timedelta(minutes=5),
                       status: SessionStatus = SessionStatus.SCHEDULED,
                       minutes: int = 50) -> Live:
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    anna_token = await client(api, "anna@example.com", "Anna")
    engagement = await connect(api, anna_token, sigrun, "Counselling")
    session = await add_session(engagement, datetime.now(UTC) + starts_in, status,
                                minutes=minutes)
    return Live(professional=sigrun, client_token=anna_token, session=session,
                session_id=relay.to_base64("Session", str(session.id)))


async def join(api: Any, token: str, session_id: str, key: str | None = None
               ) -> dict[str, Any]:
    key = device_key() if key is None else key
    return (await api.data(JOIN, {"input": {"sessionId": session_id, "devicePublicKey": key}},
                           token=token))["joinSession"]


async def send(api: Any, token: str, session_id: str, payload: str) -> dict[str, Any]:
    return (await api.data(SEND, {"input": {"sessionId": session_id, "payload": payload}},
                           token=token))["sendSignal"]


async def leave(api: Any, token: str, session_id: str) -> dict[str, Any]:
    return (await api.data(LEAVE, {"input": {"sessionId": session_id}},
                           token=token))["leaveSession"]


@contextlib.asynccontextmanager
async def signals(url: str, token: str, session_id: str) -> AsyncIterator[GraphQLWs]:
    """A websocket signed in as `token` with the signals subscription started."""
    async with graphql_ws(url, bearer(token)) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.send({"id": "1", "type": "subscribe",
                       "payload": {"query": SIGNALS, "variables": {"sessionId": session_id}}})
        yield ws


async def next_event(ws: GraphQLWs) -> dict[str, Any]:
    return (await ws.next_data())["signals"]
