"""What an open hub hears: its sessions booked, moved, cancelled, completed or about to start.

Booking use cases publish `{"kind": ..., "sessionId": ...}` on `account:<id>` for both
participants after their transaction commits (gateways/events.py carries it between app
processes). Events hold ids only; this stream loads the session again, through the same
visibility rule as every other path, so an event can never show someone a session that is not
theirs. `session_starting` is not published by anyone: each stream sets a timer for the next
session's join window and announces it itself, so no scheduler process is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q

from models.accounts import Account
from models.scheduling import Session, SessionStatus
from resolvers import signin
from resolvers.caller import Caller
from resolvers.errors import not_signed_in
from resolvers.session_access import visible_sessions
from resolvers.validation import as_uuid

SIGN_IN_CHECK_SECONDS = 60
"""How often an idle stream checks that its login session still stands; every update is
checked before it is sent, whatever this says."""


class HubEventKind(StrEnum):
    LISTENING = "listening"
    SESSION_BOOKED = "session_booked"
    SESSION_RESCHEDULED = "session_rescheduled"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_COMPLETED = "session_completed"
    SESSION_NO_SHOW = "session_no_show"
    SESSION_STARTING = "session_starting"
    PARTICIPANT_JOINED = "participant_joined"
    PARTICIPANT_LEFT = "participant_left"


PUBLISHED_KINDS = {kind.value for kind in HubEventKind} - {
    HubEventKind.LISTENING.value, HubEventKind.SESSION_STARTING.value,
}


@dataclass(frozen=True)
class HubUpdate:
    kind: HubEventKind
    session: Session | None = None


def topic(account: Account) -> str:
    return f"account:{account.id}"


async def _next_opening(account: Account, after: datetime) -> Session | None:
    """The account's next booked session starting after `after`."""
    return await Session.filter(
        Q(client_id=account.id) | Q(professional_id=account.id),
        status=SessionStatus.SCHEDULED, starts_at__gt=after,
    ).order_by("starts_at", "id").first()


async def _published(account: Account, event: dict[str, Any]) -> HubUpdate | None:
    """The update an event means for this account, or None for one that is not about a
    session it may see (or is not an event we know)."""
    if event.get("kind") not in PUBLISHED_KINDS:
        return None
    session_id = as_uuid(str(event.get("sessionId", "")))
    found = await visible_sessions(account, [session_id] if session_id else [])
    if session_id not in found:
        return None
    return HubUpdate(kind=HubEventKind(event["kind"]), session=found[session_id])


async def hub_updates(caller: Caller) -> AsyncIterator[HubUpdate]:
    """Updates for the signed-in account until the client unsubscribes or the login session
    ends (logout, password change or reset, expiry): then the stream ends with UNAUTHENTICATED.

    The first update is LISTENING, sent once the stream hears events: the SPA refetches the
    hub then, so nothing between its last query and the subscription is missed.
    """
    account = caller.require_account()
    window = timedelta(minutes=caller.settings.join_window_minutes)
    # Sessions starting by `announced_until` are open already or were announced: never twice.
    announced_until = datetime.now(UTC) + window
    async with caller.events.listen(topic(account)) as queue:
        yield HubUpdate(kind=HubEventKind.LISTENING)
        while True:
            await _require_sign_in(caller)
            now = datetime.now(UTC)
            announced_until = max(announced_until, now + window)
            opening = await _next_opening(account, announced_until)
            opens_in = ((opening.starts_at - window - now).total_seconds()
                        if opening is not None else None)
            wait = SIGN_IN_CHECK_SECONDS if opens_in is None else min(opens_in,
                                                                      SIGN_IN_CHECK_SECONDS)
            event = None
            with contextlib.suppress(TimeoutError):
                event = await asyncio.wait_for(queue.get(), timeout=wait)
            if event is not None:
                if (update := await _published(account, event)) is not None:
                    await _require_sign_in(caller)
                    yield update
                continue
            if opening is None or datetime.now(UTC) < opening.starts_at - window:
                continue  # woken only to check the sign-in
            announced_until = opening.starts_at
            current = (await visible_sessions(account, [opening.id])).get(opening.id)
            if (current is not None and current.status is SessionStatus.SCHEDULED
                    and current.starts_at == opening.starts_at):
                await _require_sign_in(caller)
                yield HubUpdate(kind=HubEventKind.SESSION_STARTING, session=current)


async def _require_sign_in(caller: Caller) -> None:
    if not await signin.still_signed_in(caller):
        raise not_signed_in()
