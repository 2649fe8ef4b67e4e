"""Availability in the API: weekly hours, dated exceptions, and bookable slots."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from enum import Enum
from typing import Self

import strawberry
from strawberry import relay

from models import scheduling as m
from resolvers.scheduling.availability_settings import (
    StoredAvailability,
    visible_exceptions,
    wall_time,
)
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.ids import visible_nodes
from timetable import availability as rules


class Weekday(Enum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


described_enum(Weekday, {
    Weekday.MONDAY: "Monday, the first day of the week (ISO).",
    Weekday.TUESDAY: "Tuesday, in the practice's time zone.",
    Weekday.WEDNESDAY: "Wednesday, in the practice's time zone.",
    Weekday.THURSDAY: "Thursday, in the practice's time zone.",
    Weekday.FRIDAY: "Friday, in the practice's time zone.",
    Weekday.SATURDAY: "Saturday, in the practice's time zone.",
    Weekday.SUNDAY: "Sunday, the last day of the week (ISO).",
}, description="Days of the week, on the professional's calendar.")


described_enum(
    rules.ExceptionKind, {
        rules.ExceptionKind.OPEN: "Extra hours on that date, on top of the weekly ones.",
        rules.ExceptionKind.CLOSED: "Time off on that date: the given hours, or the whole day "
                                    "without times.",
    }, name="AvailabilityExceptionKind",
    description="OPEN adds hours on a date; CLOSED takes them away (the whole day without "
                "times). A closure always wins over extra hours on the same date.",
)
AvailabilityExceptionKind = rules.ExceptionKind


@strawberry.type(description="Open every such weekday from start to end, on the "
                             "professional's clock. An end of 00:00 means midnight.")
class WeeklyHours:
    weekday: Weekday = strawberry.field(description="The day these hours repeat on.")
    start: time = strawberry.field(description="Opening time, wall clock in Availability.timeZone.")
    end: time = strawberry.field(
        description="Closing time, wall clock in Availability.timeZone; 00:00 means midnight.")


@strawberry.type(description="A dated change to the weekly hours.")
class AvailabilityException(relay.Node):
    exception_id: relay.NodeID[str]
    date: date = strawberry.field(description="On the professional's calendar.")
    kind: AvailabilityExceptionKind = strawberry.field(
        description="Whether the date gains hours (OPEN) or loses them (CLOSED).")
    start: time | None = strawberry.field(description="Null with end for a whole day off.")
    end: time | None = strawberry.field(
        description="Null with start for a whole day off; 00:00 means midnight.")

    @classmethod
    def of(cls, row: m.AvailabilityException) -> Self:
        return cls(
            exception_id=str(row.id), date=row.day,
            kind=(rules.ExceptionKind.OPEN if row.kind is m.ExceptionKind.OPEN
                  else rules.ExceptionKind.CLOSED),
            start=wall_time(row.start_minute) if row.start_minute is not None else None,
            end=wall_time(row.end_minute) if row.end_minute is not None else None,
        )

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the professional's own exceptions."""
        account = info.context.caller.account
        return await visible_nodes(node_ids, lambda ids: visible_exceptions(account, ids), cls.of)


@strawberry.type(description="When the signed-in professional can be booked.")
class Availability:
    time_zone: str = strawberry.field(
        description="IANA zone the hours are in: the practice's (ProfessionalProfile.timeZone).")
    weekly_hours: list[WeeklyHours] = strawberry.field(
        description="The repeating opening hours, by weekday then start.")
    exceptions: list[AvailabilityException] = strawberry.field(
        description="From today on, by date.")
    buffer_minutes: int = strawberry.field(description="Kept free before and after sessions.")
    slot_step_minutes: int | None = strawberry.field(
        description="Distance between offered start times; null: the service's length.")
    horizon_days: int = strawberry.field(description="How far ahead sessions can be booked.")
    updated_at: datetime = strawberry.field(description="When the settings last changed (UTC).")

    @classmethod
    def of(cls, stored: StoredAvailability) -> Self | None:
        settings = stored.settings
        if settings is None:
            return None
        return cls(
            time_zone=settings.time_zone,
            weekly_hours=[WeeklyHours(weekday=Weekday(h.weekday), start=wall_time(h.start_minute),
                                      end=wall_time(h.end_minute)) for h in stored.weekly],
            exceptions=[AvailabilityException.of(e) for e in stored.exceptions],
            buffer_minutes=settings.buffer_minutes,
            slot_step_minutes=settings.slot_step_minutes, horizon_days=settings.horizon_days,
            updated_at=settings.updated_at,
        )


@strawberry.type(description="A time a session of the service can be booked.")
class Slot:
    starts_at: datetime = strawberry.field(description="UTC.")
    ends_at: datetime = strawberry.field(description="UTC.")


@strawberry.input(description="One opening interval that repeats every week.")
class WeeklyHoursInput:
    weekday: Weekday = strawberry.field(description="The day it repeats on.")
    start: time = strawberry.field(description="Whole minutes, like 09:00.")
    end: time = strawberry.field(description="After start; 00:00 means midnight.")

    def given(self) -> rules.WeeklyHours:
        return rules.WeeklyHours(weekday=self.weekday.value, start=self.start, end=self.end)
