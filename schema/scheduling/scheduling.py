"""Scheduling in the API: availability, slots, booking, changes, calendar feeds.
The use cases are in resolvers/scheduling/availability_settings.py, booking.py,
session_changes.py and calendar_feeds.py; docs/scheduling.md shows every operation with examples."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import strawberry

from resolvers.core.errors import ErrorCode, PublicError, UserErrors
from resolvers.scheduling import availability_settings, booking, calendar_feeds, session_changes
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.ids import node_uuid
from schema.scheduling.availability_types import (
    Availability,
    AvailabilityException,
    AvailabilityExceptionKind,
    Slot,
    WeeklyHoursInput,
)
from schema.scheduling.scheduling_types import CalendarFeed, SkippedOccurrence
from schema.scheduling.session_types import Session, SessionSeries


@strawberry.input(description="Replaces the weekly hours and settings; exceptions are kept.")
class SetAvailabilityInput:
    weekly_hours: list[WeeklyHoursInput] = strawberry.field(
        description="Several intervals a day are fine; they must not overlap.")
    time_zone: str | None = strawberry.field(
        default=None, description="IANA zone of the hours; by default the practice's "
                                  "(ProfessionalProfile.timeZone). Giving one changes the "
                                  "practice's zone too.")
    buffer_minutes: int = strawberry.field(default=0, description="0-120.")
    slot_step_minutes: int | None = strawberry.field(
        default=None, description="5-240, a multiple of 5; null: the service's length.")
    horizon_days: int = strawberry.field(default=90, description="1-730.")


@strawberry.input(
    description="One dated change to the weekly hours: extra hours (OPEN) or time off (CLOSED).")
class AddAvailabilityExceptionInput:
    date: date = strawberry.field(description="The date, on the professional's calendar.")
    kind: AvailabilityExceptionKind = strawberry.field(
        description="OPEN adds hours (start and end required); CLOSED takes them away.")
    start: time | None = strawberry.field(
        default=None,
        description="Omit with end for a whole day CLOSED; wall clock in the practice's zone.")
    end: time | None = strawberry.field(default=None, description="00:00 means midnight.")


@strawberry.input(description="Which dated exception to remove.")
class RemoveAvailabilityExceptionInput:
    id: strawberry.ID = strawberry.field(description="The AvailabilityException's global id.")


@strawberry.input(description="One session on an active engagement, at an offered slot.")
class BookSessionInput:
    engagement_id: strawberry.ID = strawberry.field(
        description="The Engagement's global id; it must be ACTIVE (ENGAGEMENT_NOT_ACTIVE "
                    "otherwise).")
    starts_at: datetime = strawberry.field(description="One of availableSlots' startsAt.")


@strawberry.input(description="A recurring booking: give count or until.")
class BookSeriesInput:
    engagement_id: strawberry.ID = strawberry.field(
        description="The Engagement's global id; it must be ACTIVE.")
    starts_at: datetime = strawberry.field(description="The first session.")
    every_weeks: int = strawberry.field(default=1, description="1 weekly, 2 every other week "
                                                               "(1-4).")
    count: int | None = strawberry.field(default=None, description="1-52 sessions.")
    until: date | None = strawberry.field(
        default=None, description="The last date, included, on the professional's calendar.")


@strawberry.input(description="The session to move and its new start.")
class RescheduleSessionInput:
    session_id: strawberry.ID = strawberry.field(
        description="The Session's global id; it must be SCHEDULED.")
    starts_at: datetime = strawberry.field(
        description="The new start, one of availableSlots' startsAt (UTC); the length stays.")


@strawberry.input(description="The session to cancel, with an optional reason.")
class CancelSessionInput:
    session_id: strawberry.ID = strawberry.field(
        description="The Session's global id; it must be SCHEDULED.")
    reason: str = strawberry.field(
        default="", description="Shown to the two participants only; never emailed.")


@strawberry.input(description="Which series to cancel and from when.")
class CancelSeriesInput:
    series_id: strawberry.ID = strawberry.field(description="The SessionSeries' global id.")
    from_: datetime = strawberry.field(name="from", description="Sessions starting at or after "
                                                                "this are cancelled.")
    reason: str = strawberry.field(
        default="",
        description="Shown to the two participants only on each cancelled session; never "
                    "emailed.")


@strawberry.input(description="Names one session.")
class SessionIdInput:
    session_id: strawberry.ID = strawberry.field(description="The Session's global id.")


@strawberry.input(description="Which calendar link to revoke.")
class RevokeCalendarFeedInput:
    id: strawberry.ID = strawberry.field(description="The CalendarFeed's global id.")


@strawberry.type(description="The result of setAvailability.")
class AvailabilityPayload(Payload):
    availability: Availability | None = strawberry.field(
        default=None,
        description="The availability as stored; null when userErrors is not empty.")


@strawberry.type(description="The result of adding or removing an exception.")
class AvailabilityExceptionPayload(Payload):
    exception: AvailabilityException | None = strawberry.field(
        default=None,
        description="The exception added or removed; null when userErrors is not empty.")


@strawberry.type(description="The result of a mutation on one session.")
class SessionPayload(Payload):
    session: Session | None = strawberry.field(
        default=None,
        description="The session after the change; null when userErrors is not empty.")


@strawberry.type(
    description="The result of bookSeries: what was booked and which dates were skipped.")
class BookSeriesPayload(Payload):
    series: SessionSeries | None = strawberry.field(
        default=None, description="Null when no date could be booked.")
    sessions: list[Session] = strawberry.field(default_factory=list,
                                               description="What was booked, by date.")
    skipped: list[SkippedOccurrence] = strawberry.field(
        default_factory=list, description="Dates that could not be booked, and why.")


@strawberry.type(description="The result of cancelSeries.")
class CancelSeriesPayload(Payload):
    sessions: list[Session] = strawberry.field(default_factory=list,
                                               description="The sessions cancelled.")


@strawberry.type(description="The result of creating or revoking a calendar link.")
class CalendarFeedPayload(Payload):
    feed: CalendarFeed | None = strawberry.field(
        default=None,
        description="The calendar link; null when userErrors is not empty.")
    url: str | None = strawberry.field(
        default=None, description="The secret address to subscribe to; shown only here, once.")


@strawberry.type
class SchedulingQueries:
    @strawberry.field(description="The signed-in professional's availability; null until set.")
    async def availability(self, info: Info) -> Availability | None:
        return Availability.of(await availability_settings.own_availability(info.context.caller))

    @strawberry.field(description="Bookable times of a service in [from, to), at most 62 days. "
                                  "For its professional, or an active client when the service "
                                  "allows self-booking; empty for anyone else. A professional "
                                  "booking for a client passes engagementId so that times the "
                                  "client is busy elsewhere are left out too.")
    async def available_slots(
        self, info: Info,
        service_id: Annotated[strawberry.ID, strawberry.argument(
            description="The Service's global id.")],
        from_: Annotated[datetime, strawberry.argument(
            name="from", description="Earliest start to offer (inclusive).")],
        to: Annotated[datetime, strawberry.argument(
            description="Offer starts before this; at most 62 days after `from`.")],
        engagement_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="The client's Engagement, when a professional books for them: "
                        "that client's other sessions are left out too.")] = None,
    ) -> list[Slot]:
        engagement = node_uuid(engagement_id, "Engagement") if engagement_id else None
        if engagement_id and engagement is None:
            raise PublicError("That engagementId is not an engagement's id.",
                              ErrorCode.INVALID_INPUT)
        try:
            found = await booking.available_slots(
                info.context.caller, node_uuid(service_id, "Service"), from_, to,
                engagement_id=engagement)
        except UserErrors as error:
            raise PublicError(error.errors[0].message, ErrorCode.INVALID_INPUT) from None
        return [Slot(starts_at=slot.start, ends_at=slot.end) for slot in found]

    @strawberry.field(description="The signed-in person's calendar links that still work.")
    async def calendar_feeds(self, info: Info) -> list[CalendarFeed]:
        return [CalendarFeed.of(f) for f in await calendar_feeds.my_feeds(info.context.caller)]


@strawberry.type
class SchedulingMutations:
    @strawberry.mutation(description="Set the weekly hours, buffer, slot step and horizon.")
    @user_errors_as(AvailabilityPayload)
    async def set_availability(self, info: Info, input: MutationInput[SetAvailabilityInput]
                               ) -> AvailabilityPayload:
        stored = await availability_settings.set_availability(
            info.context.caller, time_zone=input.time_zone,
            weekly=[h.given() for h in input.weekly_hours], buffer_minutes=input.buffer_minutes,
            slot_step_minutes=input.slot_step_minutes, horizon_days=input.horizon_days,
        )
        return AvailabilityPayload(availability=Availability.of(stored))

    @strawberry.mutation(description="A day (or hours) off, or extra hours, on one date.")
    @user_errors_as(AvailabilityExceptionPayload)
    async def add_availability_exception(self, info: Info,
                                         input: MutationInput[AddAvailabilityExceptionInput]
                                         ) -> AvailabilityExceptionPayload:
        row = await availability_settings.add_exception(
            info.context.caller, day=input.date, kind=input.kind, start=input.start,
            end=input.end)
        return AvailabilityExceptionPayload(exception=AvailabilityException.of(row))

    @strawberry.mutation(description="Remove a day off or extra hours (by its id); answers the "
                                     "availability as it is now.")
    @user_errors_as(AvailabilityPayload)
    async def remove_availability_exception(self, info: Info,
                                            input: MutationInput[RemoveAvailabilityExceptionInput]
                                            ) -> AvailabilityPayload:
        caller = info.context.caller
        await availability_settings.remove_exception(
            caller, node_uuid(input.id, "AvailabilityException"))
        return AvailabilityPayload(
            availability=Availability.of(await availability_settings.own_availability(caller)))

    @strawberry.mutation(description="Book one session: the professional for an active "
                                     "client, or the client when the service allows it.")
    @user_errors_as(SessionPayload)
    async def book_session(self, info: Info, input: MutationInput[BookSessionInput]
                           ) -> SessionPayload:
        session = await booking.book_session(
            info.context.caller, node_uuid(input.engagement_id, "Engagement"), input.starts_at)
        return SessionPayload(session=Session.seen_by(info)(session))

    @strawberry.mutation(description="Book a weekly (or every-n-weeks) series; each date is "
                                     "checked like bookSession and `skipped` lists the ones "
                                     "that could not be booked.")
    @user_errors_as(BookSeriesPayload)
    async def book_series(self, info: Info, input: MutationInput[BookSeriesInput]
                          ) -> BookSeriesPayload:
        result = await booking.book_series(
            info.context.caller, node_uuid(input.engagement_id, "Engagement"), input.starts_at,
            every_weeks=input.every_weeks, count=input.count, until=input.until)
        return BookSeriesPayload(
            series=SessionSeries.of(result.series) if result.series else None,
            sessions=[*map(Session.seen_by(info), result.sessions)],
            skipped=[SkippedOccurrence.of(s) for s in result.skipped])

    @strawberry.mutation(description="Move a scheduled session to another bookable time.")
    @user_errors_as(SessionPayload)
    async def reschedule_session(self, info: Info, input: MutationInput[RescheduleSessionInput]
                                 ) -> SessionPayload:
        session = await session_changes.reschedule_session(
            info.context.caller, node_uuid(input.session_id, "Session"), input.starts_at)
        return SessionPayload(session=Session.seen_by(info)(session))

    @strawberry.mutation(description="Cancel a session (either side). A client inside the "
                                     "cancellation window makes it LATE_CANCELLED.")
    @user_errors_as(SessionPayload)
    async def cancel_session(self, info: Info, input: MutationInput[CancelSessionInput]
                             ) -> SessionPayload:
        session = await session_changes.cancel_session(
            info.context.caller, node_uuid(input.session_id, "Session"), reason=input.reason)
        return SessionPayload(session=Session.seen_by(info)(session))

    @strawberry.mutation(description="Cancel every scheduled session of a series from a time "
                                     "on.")
    @user_errors_as(CancelSeriesPayload)
    async def cancel_series(self, info: Info, input: MutationInput[CancelSeriesInput]
                            ) -> CancelSeriesPayload:
        sessions = await session_changes.cancel_series(
            info.context.caller, node_uuid(input.series_id, "SessionSeries"), input.from_,
            reason=input.reason)
        return CancelSeriesPayload(sessions=[*map(Session.seen_by(info), sessions)])

    @strawberry.mutation(description="The professional marks a started session completed.")
    @user_errors_as(SessionPayload)
    async def complete_session(self, info: Info, input: MutationInput[SessionIdInput]
                               ) -> SessionPayload:
        session = await session_changes.complete_session(
            info.context.caller, node_uuid(input.session_id, "Session"))
        return SessionPayload(session=Session.seen_by(info)(session))

    @strawberry.mutation(description="The professional marks that the client did not come.")
    @user_errors_as(SessionPayload)
    async def mark_no_show(self, info: Info, input: MutationInput[SessionIdInput]
                           ) -> SessionPayload:
        session = await session_changes.mark_no_show(
            info.context.caller, node_uuid(input.session_id, "Session"))
        return SessionPayload(session=Session.seen_by(info)(session))

    @strawberry.mutation(description="A private calendar link (iCalendar) of your sessions; "
                                     "the URL is in this answer only.")
    @user_errors_as(CalendarFeedPayload)
    async def create_calendar_feed(self, info: Info) -> CalendarFeedPayload:
        created = await calendar_feeds.create_feed(info.context.caller)
        return CalendarFeedPayload(feed=CalendarFeed.of(created.feed), url=created.url)

    @strawberry.mutation(description="The link stops working at once.")
    @user_errors_as(CalendarFeedPayload)
    async def revoke_calendar_feed(self, info: Info, input: MutationInput[RevokeCalendarFeedInput]
                                   ) -> CalendarFeedPayload:
        feed = await calendar_feeds.revoke_feed(info.context.caller,
                                                node_uuid(input.id, "CalendarFeed"))
        return CalendarFeedPayload(feed=CalendarFeed.of(feed))
