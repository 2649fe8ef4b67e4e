"""What an open hub hears: its sessions booked, moved, cancelled, completed or about to start;
requests answered, invitations accepted, engagements ended; payments paid, failed or refunded.

Use cases publish `{"kind": ..., "sessionId" | "engagementId" | "paymentId": ...}` on
`account:<id>` for both sides inside their transaction, delivered once it commits
(resolvers/core/account_events.py; gateways/events.py carries it between app processes). Events
hold ids only; this stream loads the object again, through the same visibility rule as every
other path, so an event can never show someone something that is not theirs.
`session_starting` is not published by anyone: each stream sets a timer for the next
session's join window and announces it itself, so no scheduler process is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from tortoise.expressions import Q

from models.accounts import Account
from models.payments import Payment
from models.practice import Engagement, Invitation
from models.scheduling import Session, SessionStatus
from resolvers.accounts import signin
from resolvers.core.caller import Caller
from resolvers.core.errors import not_signed_in
from resolvers.core.validation import as_uuid
from resolvers.payments.payments import visible_payments
from resolvers.practice.engagements import visible_engagements
from resolvers.practice.invitations import owned_invitations
from resolvers.scheduling.session_access import visible_sessions

T = TypeVar("T")

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
    REQUEST_APPROVED = "request_approved"
    REQUEST_DECLINED = "request_declined"
    INVITATION_ACCEPTED = "invitation_accepted"
    ENGAGEMENT_ENDED = "engagement_ended"
    PAYMENT_PAID = "payment_paid"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_REFUNDED = "payment_refunded"


ENGAGEMENT_KINDS = frozenset({HubEventKind.REQUEST_APPROVED, HubEventKind.REQUEST_DECLINED,
                              HubEventKind.INVITATION_ACCEPTED, HubEventKind.ENGAGEMENT_ENDED})
PAYMENT_KINDS = frozenset({HubEventKind.PAYMENT_PAID, HubEventKind.PAYMENT_FAILED,
                           HubEventKind.PAYMENT_REFUNDED})
PUBLISHED_KINDS = {kind.value for kind in HubEventKind} - {
    HubEventKind.LISTENING.value, HubEventKind.SESSION_STARTING.value,
}


@dataclass(frozen=True)
class HubUpdate:
    """One update; which object it carries depends on the kind (none for LISTENING)."""

    kind: HubEventKind
    session: Session | None = None
    engagement: Engagement | None = None
    invitation: Invitation | None = None
    payment: Payment | None = None


def topic(account: Account) -> str:
    return f"account:{account.id}"


async def _next_opening(account: Account, after: datetime) -> Session | None:
    """The account's next booked session starting after `after`."""
    return await Session.filter(
        Q(client_id=account.id) | Q(professional_id=account.id),
        status=SessionStatus.SCHEDULED, starts_at__gt=after,
    ).order_by("starts_at", "id").first()


def _one(found: dict[UUID, T]) -> T | None:
    """The one visible object of a visibility check on one id (or none)."""
    return next(iter(found.values()), None)


def _id(event: dict[str, Any], name: str) -> list[UUID]:
    found = as_uuid(str(event.get(name, "")))
    return [found] if found else []


async def _published(account: Account, event: dict[str, Any]) -> HubUpdate | None:
    """The update an event means for this account, or None for one that is not about
    something it may see (or is not an event we know)."""
    if event.get("kind") not in PUBLISHED_KINDS:
        return None
    kind = HubEventKind(event["kind"])
    if kind in PAYMENT_KINDS:
        payment = _one(await visible_payments(account, _id(event, "paymentId")))
        return HubUpdate(kind=kind, payment=payment) if payment else None
    if kind in ENGAGEMENT_KINDS:
        engagement = _one(await visible_engagements(account, _id(event, "engagementId")))
        if engagement is None:
            return None
        # Only the invitation's professional sees it; the client hears about the engagement.
        invitation = _one(await owned_invitations(account, _id(event, "invitationId")))
        return HubUpdate(kind=kind, engagement=engagement, invitation=invitation)
    session = _one(await visible_sessions(account, _id(event, "sessionId")))
    return HubUpdate(kind=kind, session=session) if session else None


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
