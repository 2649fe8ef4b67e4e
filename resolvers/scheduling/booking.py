"""Booking sessions: one, or a weekly series, and the bookable slots of a service.

Who may book: the professional of the service, for a client with an active engagement; or
that client, when the service allows self-booking. Every start is checked by
`timetable.slots.refusal` first (for a precise message), then written by
`resolvers.scheduling.session_store`, which makes a lost race come out as SLOT_TAKEN (never a
500, never
two overlapping sessions). The session keeps a snapshot of the service's price, currency,
length and VAT rate at booking time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.practice import Engagement, EngagementStatus, Service
from models.scheduling import LIVE_STATUSES, Session, SessionSeries
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserError, UserErrors, fail, from_problems
from resolvers.practice.card_requirement import require_card
from resolvers.practice.engagements import NOT_FOUND_MESSAGE, visible_engagements
from resolvers.scheduling import session_mail
from resolvers.scheduling.availability_settings import practice_availability
from resolvers.scheduling.session_events import announce
from resolvers.scheduling.session_store import SlotTaken, insert_session, record_change
from settings import Settings
from timetable.availability import Availability, Interval
from timetable.problems import InvalidTimetable
from timetable.recurrence import series_starts
from timetable.slots import Reason, Refusal, bookable_starts, refusal
from timetable.wall_clock import as_utc

MAX_SLOT_WINDOW = timedelta(days=62)
TAKEN_MESSAGE = "That time is already taken; choose another time."
CODES = {
    Reason.IN_THE_PAST: ErrorCode.IN_THE_PAST,
    Reason.BEYOND_HORIZON: ErrorCode.BEYOND_HORIZON,
    Reason.OUTSIDE_HOURS: ErrorCode.OUTSIDE_AVAILABILITY,
    Reason.NOT_ALIGNED: ErrorCode.NOT_ON_SLOT_GRID,
    Reason.TAKEN: ErrorCode.SLOT_TAKEN,
    Reason.TOO_CLOSE: ErrorCode.TOO_CLOSE,
}


@dataclass(frozen=True)
class Skipped:
    """An occurrence of a series that could not be booked, and why."""

    starts_at: datetime
    code: ErrorCode
    message: str


@dataclass
class SeriesBooking:
    series: SessionSeries | None
    sessions: list[Session] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


async def _prelude(caller: Caller, engagement_id: UUID | None, starts_at: datetime
                   ) -> tuple[Account, Engagement, datetime, timedelta, Availability]:
    """What both booking paths check first, before anything is written: the caller may book
    this engagement, the service's card rule is met, and the start is an aware instant. Returns
    the booker, the engagement, the start, the session length and the practice's availability."""
    account = caller.require_account()
    engagement = await bookable_engagement(account, engagement_id)
    await require_card(caller.settings, engagement.client_id, engagement.service,
                       asked_by_client=engagement.client_id == account.id)
    service = engagement.service
    availability = await practice_availability(service.professional.account_id)
    return (account, engagement, start_of(starts_at), timedelta(minutes=service.session_minutes),
            availability)


async def book_session(caller: Caller, engagement_id: UUID | None, starts_at: datetime
                       ) -> Session:
    """Book one session; a userError (and nothing written) when the time is not bookable."""
    account, engagement, start, length, availability = await _prelude(
        caller, engagement_id, starts_at)
    busy = await busy_intervals(engagement, start - availability.buffer - length,
                                start + length + availability.buffer)
    if problem := refusal(availability, length=length, busy=busy, proposed=start,
                          now=datetime.now(UTC)):
        raise refused(problem)
    try:
        async with in_transaction():
            session = await insert_session(
                **snapshot(caller.settings, engagement, account, start),
                buffer=availability.buffer)
            await _booked(caller, session)
    except SlotTaken:
        raise fail(TAKEN_MESSAGE, ErrorCode.SLOT_TAKEN, "startsAt") from None
    return await loaded(session.id)


async def book_series(caller: Caller, engagement_id: UUID | None, starts_at: datetime, *,
                      every_weeks: int, count: int | None, until: date | None
                      ) -> SeriesBooking:
    """Book every occurrence that can be booked; the others come back in `skipped`.

    The series keeps the professional's wall-clock time across daylight-saving changes. Each
    occurrence is inserted in its own savepoint, so a taken date (even one lost in a race) is
    reported and the rest are booked.
    """
    account, engagement, start, length, availability = await _prelude(
        caller, engagement_id, starts_at)
    try:
        starts = series_starts(start, availability.time_zone, every_weeks=every_weeks,
                               count=count, until=until)
    except InvalidTimetable as invalid:
        raise UserErrors(*from_problems(invalid.problems)) from None
    busy = await busy_intervals(engagement, starts[0] - availability.buffer - length,
                                starts[-1] + length + availability.buffer)
    now = datetime.now(UTC)
    result = SeriesBooking(series=None)
    bookable: list[datetime] = []
    for occurrence in starts:
        if problem := refusal(availability, length=length, busy=busy, proposed=occurrence,
                              now=now):
            result.skipped.append(Skipped(occurrence, CODES[problem.reason], problem.message))
        else:
            bookable.append(occurrence)
    if not bookable:
        return result
    async with in_transaction():
        result.series = await SessionSeries.create(
            engagement_id=engagement.id, every_weeks=every_weeks, count=count, until=until,
            created_by_id=account.id)
        for occurrence in bookable:
            try:
                async with in_transaction():
                    session = await insert_session(
                        **snapshot(caller.settings, engagement, account, occurrence),
                        series_id=result.series.id, buffer=availability.buffer)
                    await record_change(session, None, changed_by=account)
            except SlotTaken:
                result.skipped.append(Skipped(occurrence, ErrorCode.SLOT_TAKEN, TAKEN_MESSAGE))
                continue
            result.sessions.append(session)
        if not result.sessions:
            await SessionSeries.filter(id=result.series.id).delete()
            result.series = None
        else:
            booked = await session_mail.load(Session.filter(
                id__in=[s.id for s in result.sessions]).order_by("starts_at"))
            result.sessions = booked
            await session_mail.mail_series(caller.settings, booked,
                                           [s.starts_at for s in result.skipped])
            for session in booked:
                await announce(caller, session, "session_booked")
            await audit.record(caller, "book_series", subject_type="session_series",
                               subject_id=result.series.id, person_id=engagement.client_id)
    result.skipped.sort(key=lambda s: s.starts_at)
    return result


async def available_slots(caller: Caller, service_id: UUID | None, start: datetime,
                          end: datetime, *, engagement_id: UUID | None = None
                          ) -> list[Interval]:
    """Bookable times of a service for its professional, or for an active client of it when
    the service allows self-booking (the client's other sessions are taken out too). Anyone
    else gets an empty list, as for a service that does not exist. The professional may name
    one of the service's engagements to take that client's other sessions out as well."""
    account = caller.account
    if account is None or service_id is None:
        return []
    start, end = aware(start, "from"), aware(end, "to")
    if end - start > MAX_SLOT_WINDOW:
        raise fail(f"Ask for at most {MAX_SLOT_WINDOW.days} days at a time.", field="to")
    service = await Service.get_or_none(id=service_id).select_related("professional")
    if service is None:
        return []
    client_id: UUID | None = None
    if service.professional.account_id == account.id and engagement_id is not None:
        engagement = await Engagement.get_or_none(id=engagement_id, service_id=service.id)
        if engagement is None:
            raise fail("That engagement is not one of this service's; leave engagementId out "
                       "or pick a client of this service.", field="engagementId")
        client_id = engagement.client_id
    elif service.professional.account_id != account.id:
        active = await Engagement.exists(service_id=service.id, client_id=account.id,
                                         status=EngagementStatus.ACTIVE)
        if not active or not service.self_booking:
            return []
        client_id = account.id
    length = timedelta(minutes=service.session_minutes)
    availability = await practice_availability(service.professional.account_id)
    margin = availability.buffer + length
    busy = await _busy(service.professional.account_id, client_id, start - margin, end + margin)
    starts = bookable_starts(availability, length=length, busy=busy, start=start, end=end,
                             now=datetime.now(UTC))
    return [Interval(t, t + length) for t in starts]


async def bookable_engagement(account: Account, engagement_id: UUID | None) -> Engagement:
    """The engagement to book for, if this account may book on it; else a userError."""
    found = await visible_engagements(account, [engagement_id] if engagement_id else [])
    engagement = found.get(engagement_id) if engagement_id else None
    if engagement is None:
        raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "engagementId")
    if engagement.status is not EngagementStatus.ACTIVE:
        raise fail("Sessions can only be booked while the engagement is active; this one is "
                   f"{engagement.status.value}.", ErrorCode.ENGAGEMENT_NOT_ACTIVE,
                   "engagementId")
    is_professional = engagement.service.professional.account_id == account.id
    if not is_professional and not engagement.service.self_booking:
        raise fail(f"{engagement.service.professional.display_name} books the sessions of this "
                   "service; ask them for a time.", ErrorCode.SELF_BOOKING_OFF, "engagementId")
    return engagement


async def busy_intervals(engagement: Engagement, start: datetime, end: datetime,
                         *, leave_out: UUID | None = None) -> list[Interval]:
    """Live sessions of the engagement's professional or client, in either role (a professional
    may be someone's client too), that touch [start, end)."""
    return await _busy(engagement.service.professional.account_id, engagement.client_id,
                       start, end, leave_out=leave_out)


async def _busy(professional_id: UUID, client_id: UUID | None, start: datetime, end: datetime,
                *, leave_out: UUID | None = None) -> list[Interval]:
    people = [professional_id] if client_id is None else [professional_id, client_id]
    query = Session.filter(Q(professional_id__in=people) | Q(client_id__in=people),
                           status__in=LIVE_STATUSES, starts_at__lt=end,
                           ends_at__gt=start)
    if leave_out is not None:
        query = query.exclude(id=leave_out)
    return [Interval(s, e) for s, e in await query.values_list("starts_at", "ends_at")]


def snapshot(settings: Settings, engagement: Engagement, booked_by: Account,
             start: datetime) -> dict[str, object]:
    """The new session's row: who, when, and the service's terms as they are now."""
    service = engagement.service
    end = start + timedelta(minutes=service.session_minutes)
    return {
        "engagement_id": engagement.id, "professional_id": service.professional.account_id,
        "client_id": engagement.client_id, "starts_at": start, "ends_at": end,
        "length_minutes": service.session_minutes, "price_amount": service.price_amount,
        "currency": service.currency, "vat_rate_basis_points": service.vat_rate_basis_points,
        "cancellation_window_hours": service.cancellation_window_hours,
        "booked_by_id": booked_by.id, "reminder_due_at": reminder_due(settings, start),
    }


def reminder_due(settings: Settings, start: datetime) -> datetime | None:
    """When to send the reminder; None when that moment has passed (the booking email is
    the reminder then)."""
    due = start - timedelta(hours=settings.reminder_hours)
    return due if due > datetime.now(UTC) else None


async def loaded(session_id: UUID) -> Session:
    return (await session_mail.load(Session.filter(id=session_id)))[0]


async def _booked(caller: Caller, session: Session) -> None:
    account = caller.require_account()
    await record_change(session, None, changed_by=account)
    full = await loaded(session.id)
    await session_mail.mail_session(caller.settings, full, "session_booked")
    await announce(caller, session, "session_booked")
    await audit.record(caller, "book_session", subject_type="session", subject_id=session.id,
                       person_id=session.client_id)


def start_of(starts_at: datetime) -> datetime:
    start = aware(starts_at, "startsAt")
    if start.second or start.microsecond:
        raise fail("Give the start in whole minutes, like 2026-03-30T09:00:00Z.",
                   field="startsAt")
    return start


def aware(moment: datetime, field_name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise fail("Give the time with its offset, like 2026-03-30T09:00:00Z.",
                   field=field_name)
    return as_utc(moment)


def refused(problem: Refusal) -> UserErrors:
    return UserErrors(UserError(problem.message, CODES[problem.reason], "startsAt"))
