"""Relaying sealed signals between the two participants of a call.

The browsers seal every offer, answer and ICE candidate to each other's device key, so the
server relays blobs it can neither read nor change. A signal is stored briefly and only its id
is published (PostgreSQL NOTIFY payloads are limited to 8,000 bytes): the recipient's stream,
in whichever app process it runs, loads it, checks it is addressed to its own account, and
deletes it, so it is delivered once even when the recipient listens from two tabs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models.live import CallParticipant, Signal
from resolvers.caller import Caller
from resolvers.errors import ErrorCode, fail
from resolvers.live import access, presence

SIGNAL_TTL_SECONDS = 60
"""How long a signal waits for a recipient that is not listening yet (it may be subscribing)."""

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


async def send_signal(caller: Caller, session_id: UUID | None, payload: str) -> None:
    """Accept one sealed blob for the other participant.

    A refused signal (too large, too frequent) is not stored and not published: the peer's
    stream never hears of it.
    """
    account = caller.require_account()
    session = await access.participant_session(account, session_id)
    now = datetime.now(UTC)
    access.require_live(caller.settings, session, now)
    participant = await access.present_participant(account, session)
    limit = caller.settings.signal_max_bytes
    if len(payload.encode()) > limit:
        raise fail(f"A signal may be at most {limit} bytes; send ICE candidates one at a "
                   "time and keep offers small.", ErrorCode.SIGNAL_TOO_LARGE, "payload")
    if not _BASE64URL.fullmatch(payload):
        raise fail("payload must be the sealed signal in base64url.", ErrorCode.INVALID_INPUT,
                   "payload")
    await _count(caller, participant, now)
    async with in_transaction():
        await Signal.filter(expires_at__lt=now).delete()
        signal = await Signal.create(
            session_id=session.id, sender_id=account.id,
            recipient_id=access.peer_id(account, session), payload=payload, created_at=now,
            expires_at=now + timedelta(seconds=SIGNAL_TTL_SECONDS))
        await caller.events.publish(presence.topic(session.id),
                                    {"kind": "signal", "signalId": str(signal.id)})


async def _count(caller: Caller, participant: CallParticipant, now: datetime) -> None:
    """One more signal in this minute, or RATE_LIMITED. Conditional updates, so app processes
    sending at the same moment cannot both take the last one."""
    limit = caller.settings.signal_rate_per_minute
    window = now.replace(second=0, microsecond=0)
    counted = await CallParticipant.filter(
        id=participant.id, rate_window=window, rate_count__lt=limit,
    ).update(rate_count=F("rate_count") + 1)
    if not counted:
        counted = await CallParticipant.filter(
            Q(rate_window__isnull=True) | Q(rate_window__lt=window), id=participant.id,
        ).update(rate_window=window, rate_count=1)
    if not counted:
        raise fail(f"Too many signals: at most {limit} a minute. Wait a moment before "
                   "sending more.", ErrorCode.RATE_LIMITED, "payload")


async def take(recipient_id: UUID, session_id: UUID, signal_id: UUID | None) -> Signal | None:
    """The signal if it is this recipient's and still waiting; it is deleted, so no other
    stream delivers it again."""
    if signal_id is None:
        return None
    signal = await Signal.get_or_none(id=signal_id, session_id=session_id,
                                      recipient_id=recipient_id)
    if signal is None:
        return None
    deleted = await Signal.filter(id=signal.id).delete()
    if not deleted or signal.expires_at <= datetime.now(UTC):
        return None
    return signal


async def waiting(recipient_id: UUID, session_id: UUID) -> list[UUID]:
    """Ids of signals sent before the recipient's stream was listening, oldest first."""
    return [signal.id for signal in await Signal.filter(
        session_id=session_id, recipient_id=recipient_id,
        expires_at__gt=datetime.now(UTC),
    ).order_by("created_at", "id")]
