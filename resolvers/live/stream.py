"""What a participant's `signals` stream hears: the peer's signals and presence, and the end.

Only the session's client and professional may listen, and only while the call can be in
progress; anyone else gets the same NOT_FOUND as for a session that does not exist. The stream
ends with SESSION_ENDED when the session is cancelled, moved, closed or reaches its end, and
with UNAUTHENTICATED when the login session ends. Every delivery re-checks the session's
state, and each signal is checked to be addressed to this account, so an event on the bus can
never show anyone a signal that is not theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from models.accounts import Account, LoginSession
from models.scheduling import Session
from resolvers.accounts import signin
from resolvers.core.caller import Caller
from resolvers.core.errors import PublicError, UserErrors, not_signed_in
from resolvers.core.validation import as_uuid
from resolvers.live import access, presence, signals
from resolvers.live.presence import ParticipantState

CHECK_SECONDS = 60
"""How often an idle stream re-checks the sign-in and the session (events may be missed if
the bus's connection broke); the session's end wakes it on time whatever this says."""

ENDING_KINDS = {"session_rescheduled", "session_cancelled", "session_completed",
                "session_no_show"}


class SignalEventKind(StrEnum):
    SIGNAL = "signal"
    PEER_JOINED = "peer_joined"
    PEER_LEFT = "peer_left"
    SESSION_ENDED = "session_ended"


@dataclass(frozen=True)
class SignalUpdate:
    kind: SignalEventKind
    session_id: UUID
    payload: str | None = None
    peer: ParticipantState | None = None


async def signal_updates(caller: Caller, session_id: UUID | None
                         ) -> AsyncIterator[SignalUpdate]:
    account = caller.require_account()
    session = await _listenable(caller, account, session_id)
    peer_id = access.peer_id(account, session)
    starts_at = session.starts_at
    touched = time.monotonic()
    async with caller.events.listen(presence.topic(session.id)) as call_events, \
            caller.events.listen(f"account:{account.id}") as account_events:
        merged: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        forwarders = [asyncio.create_task(_forward(queue, merged))
                      for queue in (call_events, account_events)]
        try:
            states = await presence.participants(session)
            peer = states[peer_id]
            # The device key this stream last announced as present: a join already shown
            # (here, or heard while this query ran) is not announced twice.
            announced = peer.device_public_key if peer.present else None
            if peer.present:
                yield SignalUpdate(kind=SignalEventKind.PEER_JOINED, session_id=session.id,
                                   peer=peer)
            for waiting_id in await signals.waiting(account.id, session.id):
                merged.put_nowait({"kind": "signal", "signalId": str(waiting_id)})
            while True:
                wait = min(CHECK_SECONDS,
                           max(0.0, (session.ends_at - datetime.now(UTC)).total_seconds()))
                event = None
                with contextlib.suppress(TimeoutError):
                    event = await asyncio.wait_for(merged.get(), timeout=wait)
                if not await signin.still_signed_in(caller):
                    raise not_signed_in()
                if time.monotonic() - touched >= CHECK_SECONDS:
                    await _in_call(caller)
                    touched = time.monotonic()
                current = await Session.get_or_none(id=session.id)
                if (current is None or current.starts_at != starts_at
                        or access.live_problem(caller.settings, current, datetime.now(UTC))
                        or _ends(event, session.id)):
                    yield SignalUpdate(kind=SignalEventKind.SESSION_ENDED,
                                       session_id=session.id)
                    return
                if event is None:
                    continue
                update = await _update(account, peer, session.id, event)
                if update is None:
                    continue
                joined = update.peer if update.kind is SignalEventKind.PEER_JOINED else None
                if joined is not None and joined.device_public_key == announced:
                    continue
                if update.kind is not SignalEventKind.SIGNAL:
                    announced = joined.device_public_key if joined is not None else None
                yield update
        finally:
            for forwarder in forwarders:
                forwarder.cancel()


async def _in_call(caller: Caller) -> None:
    """Being in a call is activity: without this a 50-minute call with nothing to signal
    would outlast SESSION_IDLE_MINUTES and end the stream mid-call. The absolute expiry still
    ends it; this runs only while the session is live, about once per CHECK_SECONDS."""
    assert caller.login_session is not None
    await LoginSession.filter(id=caller.login_session.id, revoked_at=None).update(
        last_seen_at=datetime.now(UTC))


def _ends(event: dict[str, Any] | None, session_id: UUID) -> bool:
    return (event is not None and event.get("kind") in ENDING_KINDS
            and event.get("sessionId") == str(session_id))


async def _listenable(caller: Caller, account: Account, session_id: UUID | None) -> Session:
    """The session, or a clean GraphQL error: a subscription has no payload for userErrors."""
    try:
        session = await access.participant_session(account, session_id)
        access.require_live(caller.settings, session, datetime.now(UTC))
    except UserErrors as refused:
        error = refused.errors[0]
        raise PublicError(error.message, error.code) from None
    return session


async def _update(account: Account, peer: ParticipantState, session_id: UUID,
                  event: dict[str, Any]) -> SignalUpdate | None:
    kind = event.get("kind")
    if kind == "signal":
        signal = await signals.take(account.id, session_id,
                                    as_uuid(str(event.get("signalId", ""))))
        if signal is None:
            return None
        return SignalUpdate(kind=SignalEventKind.SIGNAL, session_id=session_id,
                            payload=signal.payload)
    if kind in {"peer_joined", "peer_left"} and event.get("accountId") == str(peer.account_id):
        states = await presence.participants(await Session.get(id=session_id))
        now = states[peer.account_id]
        # The key that joined or left, from the event: a reload may already have replaced it.
        seen = ParticipantState(
            role=now.role, account_id=now.account_id, name=now.name,
            present=kind == "peer_joined", device_public_key=event.get("devicePublicKey"),
            first_joined_at=now.first_joined_at, joined_at=now.joined_at,
            left_at=None if kind == "peer_joined" else now.left_at)
        return SignalUpdate(kind=SignalEventKind(kind), session_id=session_id, peer=seen)
    return None


async def _forward(source: asyncio.Queue[dict[str, Any]],
                   target: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        target.put_nowait(await source.get())

