"""Private calendar feeds: a secret URL per feed that calendar apps subscribe to.

The URL carries a 256-bit token shown once; the database keeps only its keyed hash
(`lookup_hash`, its own personalisation), so a copy of the database cannot read anyone's
calendar. Revoking a feed makes its URL answer 404, exactly like a URL that never existed.
The feed lists the account's live sessions from 90 days back, as the owner's calendar shows
them: service title and the other person's name, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.expressions import Q

from crypto.tokens import decode_token, lookup_hash, new_token
from models.accounts import Account
from models.scheduling import LIVE_STATUSES, CalendarFeed, Session
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.scheduling import session_mail
from settings import Settings
from timetable import ics

TOKEN_PURPOSE = "calendar-feed"
HISTORY = timedelta(days=90)
MAX_FEEDS = 10


@dataclass(frozen=True)
class NewFeed:
    feed: CalendarFeed
    url: str
    """Shown once: only its hash is stored."""


def feed_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/calendar/{token}.ics"


async def create_feed(caller: Caller) -> NewFeed:
    account = caller.require_account()
    if await CalendarFeed.filter(account_id=account.id, revoked_at=None).count() >= MAX_FEEDS:
        raise fail(f"You can have at most {MAX_FEEDS} calendar links; revoke one you no longer "
                   "use first.", ErrorCode.NOT_ALLOWED)
    token = new_token()
    raw = decode_token(token)
    assert raw is not None
    feed = await CalendarFeed.create(account_id=account.id,
                                     token_hash=lookup_hash(raw, purpose=TOKEN_PURPOSE))
    return NewFeed(feed=feed, url=feed_url(caller.settings, token))


async def revoke_feed(caller: Caller, feed_id: UUID | None) -> CalendarFeed:
    account = caller.require_account()
    feed = None
    if feed_id is not None:
        feed = await CalendarFeed.get_or_none(id=feed_id, account_id=account.id)
    if feed is None:
        raise fail("That calendar link does not exist, or it is not yours.",
                   ErrorCode.NOT_FOUND, "id")
    if feed.revoked_at is None:
        feed.revoked_at = datetime.now(UTC)
        await CalendarFeed.filter(id=feed.id, revoked_at=None).update(revoked_at=feed.revoked_at)
    return feed


async def my_feeds(caller: Caller) -> list[CalendarFeed]:
    account = caller.require_account()
    return await CalendarFeed.filter(account_id=account.id, revoked_at=None).order_by(
        "created_at")


async def visible_feeds(account: Account | None, ids: Iterable[UUID]
                        ) -> dict[UUID, CalendarFeed]:
    """Only the owner sees a feed; any other id answers like one that does not exist."""
    if account is None:
        return {}
    return {feed.id: feed for feed in await CalendarFeed.filter(account_id=account.id,
                                                                id__in=list(ids))}


async def feed_for_token(token: str) -> bytes | None:
    """The iCalendar feed behind a URL token; None for unknown and revoked tokens."""
    raw = decode_token(token)
    if raw is None:
        return None
    feed = await CalendarFeed.get_or_none(token_hash=lookup_hash(raw, purpose=TOKEN_PURPOSE),
                                          revoked_at=None)
    if feed is None:
        return None
    now = datetime.now(UTC)
    await CalendarFeed.filter(id=feed.id).update(last_fetched_at=now)
    return await feed_body(feed.account_id, now=now)


async def feed_body(account_id: UUID, *, now: datetime) -> bytes:
    """What every feed of this account serves at `now` (the URL, and the person's data export)."""
    sessions = await session_mail.load(Session.filter(
        Q(client_id=account_id) | Q(professional_id=account_id),
        status__in=LIVE_STATUSES, starts_at__gte=now - HISTORY,
    ).order_by("starts_at"))
    return ics.feed(
        (session_mail.calendar_event(s, for_professional=s.professional_id == account_id)
         for s in sessions),
        name="Therapy Hub",
    )
