"""A professional's agenda: today's and this week's sessions, in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.accounts import Account
from models.scheduling import Session
from resolvers.core.caller import Caller


def today(account: Account, now: datetime) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight, in UTC (23 or 25 hours on DST days)."""
    zone = ZoneInfo(account.time_zone)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def this_week(account: Account, now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, local time, in UTC."""
    zone = ZoneInfo(account.time_zone)
    day = now.astimezone(zone).date()
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(), zone)
    end = datetime.combine(monday + timedelta(days=7), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


async def sessions_between(caller: Caller, start: datetime, end: datetime) -> list[Session]:
    """The professional's sessions starting in [start, end), every status, earliest first."""
    account = caller.require_professional()
    return await Session.filter(
        professional_id=account.id, starts_at__gte=start, starts_at__lt=end,
    ).order_by("starts_at", "id")


async def todays_sessions(caller: Caller, now: datetime | None = None) -> list[Session]:
    account = caller.require_professional()
    return await sessions_between(caller, *today(account, now or datetime.now(UTC)))


async def this_weeks_sessions(caller: Caller, now: datetime | None = None) -> list[Session]:
    account = caller.require_professional()
    return await sessions_between(caller, *this_week(account, now or datetime.now(UTC)))
