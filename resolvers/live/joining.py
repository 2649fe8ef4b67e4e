"""Joining and leaving a session's call, and the attendance that records it.

Only the session's client and professional may join, only while it is SCHEDULED and from
JOIN_WINDOW_MINUTES before its start until its end. Joining again (a reload) replaces the
device key; signals still waiting that were sealed to or by the old key are dropped, since
nobody can open them any more.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.live import CallParticipant, ParticipantRole, Signal
from models.scheduling import Session
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.live import access, presence
from resolvers.live.presence import ParticipantState
from resolvers.live.turn import IceServer, ice_servers

DEVICE_KEY_BYTES = 32


@dataclass(frozen=True)
class Call:
    session_id: UUID
    role: ParticipantRole
    ice_servers: list[IceServer]
    me: ParticipantState
    peer: ParticipantState
    ends_at: datetime


def device_key(text: str) -> str:
    """The key in its canonical form (base64url, no padding), or a userError."""
    stripped = text.strip().rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != DEVICE_KEY_BYTES or "+" in stripped or "/" in stripped:
        raise fail("devicePublicKey must be the raw 32-byte X25519 public key of this device, "
                   "base64url-encoded (43 characters).", ErrorCode.INVALID_INPUT,
                   "devicePublicKey")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def join_session(caller: Caller, session_id: UUID | None, device_public_key: str) -> Call:
    account = caller.require_account()
    session = await access.participant_session(account, session_id)
    key = device_key(device_public_key)
    now = datetime.now(UTC)
    access.require_live(caller.settings, session, now)
    role = access.role_of(account, session)
    async with in_transaction():
        row = await _record_join(session, account.id, role, key, now)
        await _first_join(session, role, now)
        await audit.record(caller, "join_session", subject_type="session",
                           subject_id=session.id, person_id=session.client_id)
    await presence.announce(caller, session, row, "joined")
    return await _call(caller, session, account.id, row, now)


async def leave_session(caller: Caller, session_id: UUID | None) -> Call:
    """Leaving is allowed whatever the session's state: attendance should say when someone
    left. Leaving twice changes nothing the second time."""
    account = caller.require_account()
    session = await access.participant_session(account, session_id)
    now = datetime.now(UTC)
    async with in_transaction():
        left = await CallParticipant.filter(session_id=session.id, account_id=account.id,
                                            left_at__isnull=True).update(left_at=now)
        row = await CallParticipant.get_or_none(session_id=session.id, account_id=account.id)
        if left and row is not None:
            await Signal.filter(Q(sender_id=account.id) | Q(recipient_id=account.id),
                                session_id=session.id).delete()
    if left and row is not None:
        await presence.announce(caller, session, row, "left")
    states = await presence.participants(session)
    return Call(session_id=session.id, role=access.role_of(account, session), ice_servers=[],
                me=states[account.id], peer=states[access.peer_id(account, session)],
                ends_at=session.ends_at)


async def _record_join(session: Session, account_id: UUID, role: ParticipantRole, key: str,
                       now: datetime) -> CallParticipant:
    row = await CallParticipant.get_or_none(session_id=session.id, account_id=account_id)
    if row is None:
        try:
            async with in_transaction():
                return await CallParticipant.create(
                    session_id=session.id, account_id=account_id, role=role,
                    device_public_key=key, first_joined_at=now, joined_at=now)
        except IntegrityError:  # the same person joined from two tabs at once
            row = await CallParticipant.get(session_id=session.id, account_id=account_id)
    if row.device_public_key != key:
        await Signal.filter(Q(sender_id=account_id) | Q(recipient_id=account_id),
                            session_id=session.id).delete()
    await CallParticipant.filter(id=row.id).update(device_public_key=key, joined_at=now,
                                                   left_at=None)
    return await CallParticipant.get(id=row.id)


async def _first_join(session: Session, role: ParticipantRole, now: datetime) -> None:
    """The session keeps each side's first join too: progress and no-show read it there."""
    column = ("professional_joined_at" if role is ParticipantRole.PROFESSIONAL
              else "client_joined_at")
    await Session.filter(id=session.id, **{f"{column}__isnull": True}).update(**{column: now})


async def _call(caller: Caller, session: Session, account_id: UUID, row: CallParticipant,
                now: datetime) -> Call:
    states = await presence.participants(session)
    peer = session.client_id if session.professional_id == account_id else session.professional_id
    return Call(session_id=session.id, role=row.role,
                ice_servers=ice_servers(caller.settings, row.id, now),
                me=states[account_id], peer=states[peer], ends_at=session.ends_at)
