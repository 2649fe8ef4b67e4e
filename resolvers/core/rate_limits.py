"""One mechanism for every rate limit: counted actions in a sliding window, in the database.

A limit is a number of actions per window against one key (an email, an address, an account,
each with the name of what is counted). Each counted action is a `RateLimitEvent` row under a
keyed hash of the key, so the limit holds across every app process and the table shows no
email or address. Checking and recording are separate steps: sign-in counts only failures,
the emailing mutations count only what they sent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crypto.tokens import keyed_hash
from models.rate_limits import RateLimitEvent
from resolvers.core.errors import ErrorCode, UserErrors, fail
from settings import Settings

LONGEST_WINDOW = timedelta(days=1)
"""Counted actions older than this are forgotten, whatever limit counted them."""


@dataclass(frozen=True)
class Limit:
    key_hash: str
    max_events: int
    window: timedelta


def limit(settings: Settings, purpose: str, value: str, *, max_events: int,
          window: timedelta) -> Limit:
    """A limit on `value` (an email, an address, an account id) for one kind of action."""
    assert window <= LONGEST_WINDOW, "rate-limit windows are at most a day (settings check it)"
    return Limit(keyed_hash(settings.secret_key, value, purpose=purpose), max_events, window)


async def retry_at(limits: Sequence[Limit]) -> datetime | None:
    """When the last of the limits that are reached frees a place; None when none is reached."""
    if not limits:
        return None
    now = datetime.now(UTC)
    longest = max(each.window for each in limits)
    events = await RateLimitEvent.filter(
        key_hash__in=[each.key_hash for each in limits], at__gte=now - longest
    ).values_list("key_hash", "at")
    latest: datetime | None = None
    for each in limits:
        times = sorted(at for key, at in events if key == each.key_hash and at >= now - each.window)
        if len(times) >= each.max_events:
            frees = times[len(times) - each.max_events] + each.window
            latest = frees if latest is None else max(latest, frees)
    return latest


def minutes_until(moment: datetime) -> str:
    """'1 minute', '15 minutes': rounded up, at least one."""
    minutes = max(1, math.ceil((moment - datetime.now(UTC)).total_seconds() / 60))
    return f"{minutes} minute{'s' * (minutes != 1)}"


async def refuse_if_reached(limits: Sequence[Limit], what: str) -> None:
    """Raise RATE_LIMITED, saying when to try again, if any limit is reached.

    `what` completes "You have … too often": e.g. "asked for services".
    """
    if (moment := await retry_at(limits)) is not None:
        raise too_many(f"You have {what} too often. Try again in {minutes_until(moment)}.")


def too_many(message: str) -> UserErrors:
    return fail(message, ErrorCode.RATE_LIMITED)


async def record(limits: Sequence[Limit]) -> None:
    """Count one action against every limit, and forget actions no limit can still count."""
    now = datetime.now(UTC)
    await RateLimitEvent.bulk_create([RateLimitEvent(key_hash=each.key_hash, at=now)
                                      for each in limits])
    await RateLimitEvent.filter(at__lt=now - LONGEST_WINDOW).delete()


async def clear(each: Limit) -> None:
    await RateLimitEvent.filter(key_hash=each.key_hash).delete()
