"""A professional's stored availability: weekly hours, dated exceptions, buffer, step, horizon.

The rules about what the hours mean live in `timetable.availability` (pure); this module reads
and writes the rows and turns them into its `Availability` value. `set_availability` replaces
the whole weekly set in one transaction, so a half-saved week is never offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models import scheduling as m
from models.accounts import Account
from models.practice import ProfessionalProfile
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, check, fail, from_problems
from resolvers.practice.profiles import ensure_profile
from timetable.availability import (
    Availability,
    DateException,
    ExceptionKind,
    WeeklyHours,
    availability_errors,
)
from timetable.wall_clock import MIDNIGHT

_DAY = 24 * 60
_KINDS = {m.ExceptionKind.OPEN: ExceptionKind.OPEN, m.ExceptionKind.CLOSED: ExceptionKind.CLOSED}


@dataclass
class StoredAvailability:
    """What the professional set, as rows; `settings` is None until the first save."""

    settings: m.AvailabilitySettings | None
    weekly: list[m.WeeklyHours] = field(default_factory=list)
    exceptions: list[m.AvailabilityException] = field(default_factory=list)


async def practice_availability(professional_id: UUID) -> Availability:
    """The professional's availability as the slot rules read it (nothing open when unset)."""
    settings = await m.AvailabilitySettings.get_or_none(professional_id=professional_id)
    if settings is None:
        return Availability(time_zone="UTC", weekly=())
    weekly = await m.WeeklyHours.filter(professional_id=professional_id)
    since = datetime.now(UTC).date() - timedelta(days=2)
    exceptions = await m.AvailabilityException.filter(professional_id=professional_id,
                                                      day__gte=since)
    return Availability(
        time_zone=settings.time_zone,
        weekly=tuple(WeeklyHours(h.weekday, wall_time(h.start_minute), wall_time(h.end_minute))
                     for h in weekly),
        exceptions=tuple(_exception_of(e) for e in exceptions),
        buffer=timedelta(minutes=settings.buffer_minutes),
        step=(timedelta(minutes=settings.slot_step_minutes)
              if settings.slot_step_minutes else None),
        horizon=timedelta(days=settings.horizon_days),
    )


async def visible_exceptions(account: Account | None, ids: Iterable[UUID]
                             ) -> dict[UUID, m.AvailabilityException]:
    """Only the professional's own dated exceptions."""
    if account is None:
        return {}
    return {row.id: row for row in await m.AvailabilityException.filter(
        professional_id=account.id, id__in=list(ids))}


async def own_availability(caller: Caller) -> StoredAvailability:
    """The signed-in professional's settings, weekly hours and exceptions from today on."""
    account = caller.require_professional()
    settings = await m.AvailabilitySettings.get_or_none(professional_id=account.id)
    if settings is None:
        return StoredAvailability(settings=None)
    today = datetime.now(ZoneInfo(settings.time_zone)).date()
    return StoredAvailability(
        settings=settings,
        weekly=await m.WeeklyHours.filter(professional_id=account.id).order_by(
            "weekday", "start_minute"),
        exceptions=await m.AvailabilityException.filter(
            professional_id=account.id, day__gte=today).order_by("day", "start_minute"),
    )


async def set_availability(caller: Caller, *, time_zone: str | None, weekly: list[WeeklyHours],
                           buffer_minutes: int, slot_step_minutes: int | None,
                           horizon_days: int) -> StoredAvailability:
    """Replace the weekly hours and settings at once; exceptions are kept.

    The hours are in the practice's zone (`ProfessionalProfile.timeZone`, which starts as the
    account's own): a professional who travels and changes their personal zone keeps their
    hours. Giving a zone here changes the practice's zone too, so the two never disagree.
    """
    account = caller.require_professional()
    current = await m.AvailabilitySettings.get_or_none(professional_id=account.id)
    profile = await ensure_profile(account)
    zone = time_zone or (current.time_zone if current else profile.time_zone)
    wanted = Availability(
        time_zone=zone, weekly=tuple(weekly), buffer=timedelta(minutes=buffer_minutes),
        step=timedelta(minutes=slot_step_minutes) if slot_step_minutes is not None else None,
        horizon=timedelta(days=horizon_days),
    )
    check(from_problems(availability_errors(wanted)))
    values: dict[str, Any] = {"time_zone": zone, "buffer_minutes": buffer_minutes,
              "slot_step_minutes": slot_step_minutes, "horizon_days": horizon_days}
    async with in_transaction():
        if current is None:
            await m.AvailabilitySettings.create(professional_id=account.id, **values)
        else:
            await m.AvailabilitySettings.filter(id=current.id).update(
                updated_at=datetime.now(UTC), **values)
        if profile.time_zone != zone:
            await ProfessionalProfile.filter(id=profile.id).update(time_zone=zone)
        await m.WeeklyHours.filter(professional_id=account.id).delete()
        await m.WeeklyHours.bulk_create([
            m.WeeklyHours(professional_id=account.id, weekday=h.weekday,
                          start_minute=minute_of(h.start), end_minute=minute_of(h.end, end=True))
            for h in weekly
        ])
        await audit.record(caller, "set_availability", subject_type="availability",
                           person_id=account.id)
    return await own_availability(caller)


async def add_exception(caller: Caller, *, day: date, kind: ExceptionKind,
                        start: time | None, end: time | None) -> m.AvailabilityException:
    """A day (or hours) off, or extra hours, on one date of the professional's calendar."""
    account = caller.require_professional()
    settings = await m.AvailabilitySettings.get_or_none(professional_id=account.id)
    if settings is None:
        raise fail("Set your weekly hours first (setAvailability); exceptions change them.",
                   ErrorCode.NOT_FOUND)
    exception = DateException(day=day, kind=kind, start=start, end=end)
    single = Availability(time_zone=settings.time_zone, weekly=(), exceptions=(exception,))
    check(from_problems(availability_errors(single)))
    if day < datetime.now(ZoneInfo(settings.time_zone)).date():
        raise fail("That date has passed; choose today or a later date.", field="date")
    stored_kind = m.ExceptionKind.OPEN if kind is ExceptionKind.OPEN else m.ExceptionKind.CLOSED
    return await m.AvailabilityException.create(
        professional_id=account.id, day=day, kind=stored_kind,
        start_minute=minute_of(start) if start is not None else None,
        end_minute=minute_of(end, end=True) if end is not None else None,
    )


async def remove_exception(caller: Caller, exception_id: UUID | None) -> None:
    account = caller.require_professional()
    removed = 0
    if exception_id is not None:
        removed = await m.AvailabilityException.filter(
            id=exception_id, professional_id=account.id).delete()
    if not removed:
        raise fail("That exception does not exist, or it is not yours.", ErrorCode.NOT_FOUND,
                   "id")


def minute_of(wall: time, *, end: bool = False) -> int:
    """Minutes after local midnight; as an end, 00:00 is midnight at the end of the day."""
    if end and wall == MIDNIGHT:
        return _DAY
    return wall.hour * 60 + wall.minute


def wall_time(minute: int) -> time:
    """The inverse of `minute_of` (1440 becomes 00:00, read as an end)."""
    return MIDNIGHT if minute >= _DAY else time(minute // 60, minute % 60)


def _exception_of(row: m.AvailabilityException) -> DateException:
    return DateException(
        day=row.day, kind=_KINDS[row.kind],
        start=wall_time(row.start_minute) if row.start_minute is not None else None,
        end=wall_time(row.end_minute) if row.end_minute is not None else None,
    )
