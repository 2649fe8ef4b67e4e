"""Changing a booked session: reschedule, cancel (one, or a series from a date on), complete,
mark a no-show.

Every change is a conditional UPDATE on the current status (two answers to one session cannot
both win), appends a history row, and raises the iCalendar SEQUENCE when the participants'
calendars must update (moved, cancelled). A client cancelling inside the service's cancellation
window makes it LATE_CANCELLED. The cancellation reason may say something about health: it is
encrypted at rest, shown only to the two participants, and never put in email or calendars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast
from uuid import UUID

import orjson
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crypto import secrets_at_rest
from models.accounts import Account
from models.scheduling import ChangeReason, Session, SessionSeries, SessionStatus
from resolvers.core import audit, domain_events
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserErrors, fail
from resolvers.core.validation import text_error
from resolvers.practice.engagements import EngagementEnded
from resolvers.scheduling import booking, session_mail
from resolvers.scheduling.availability_settings import practice_availability
from resolvers.scheduling.session_access import visible_sessions
from resolvers.scheduling.session_events import SessionEventKind, announce
from resolvers.scheduling.session_store import SlotTaken, move_session, record_change
from settings import Settings
from timetable.slots import refusal

NOT_FOUND_MESSAGE = "That session does not exist, or it is not yours."
REASON_PURPOSE = "session-cancel"


@dataclass(frozen=True)
class SessionClosed:
    """Published after the commit that completes or cancels a session: payments charges the
    card on file when the service says so (completed, or cancelled late). `caller` is whoever
    made the change."""

    caller: Caller
    session: Session


async def reschedule_session(caller: Caller, session_id: UUID | None, starts_at: datetime
                             ) -> Session:
    """Move a scheduled session to another bookable time (same rules as booking)."""
    account = caller.require_account()
    session = await party_session(account, session_id)
    service = session.engagement.service
    if not _is_professional(account, session):
        if not service.self_booking:
            raise fail(f"{service.professional.display_name} books the sessions of this "
                       "service; ask them to move it.", ErrorCode.SELF_BOOKING_OFF)
        if is_late(session, datetime.now(UTC)):
            raise fail(f"Sessions can be moved up to {session.cancellation_window_hours} hours "
                       "before they start; ask your professional instead.",
                       ErrorCode.NOT_ALLOWED)
    _require_upcoming(session)
    start = booking.start_of(starts_at)
    length = timedelta(minutes=session.length_minutes)
    availability = await practice_availability(session.professional_id)
    busy = await booking.busy_intervals(
        session.engagement, start - availability.buffer - length,
        start + length + availability.buffer, leave_out=session.id)
    if problem := refusal(availability, length=length, busy=busy, proposed=start,
                          now=datetime.now(UTC)):
        raise booking.refused(problem)
    before = session.starts_at
    try:
        async with in_transaction():
            if not await move_session(session, start, start + length,
                                      booking.reminder_due(caller.settings, start),
                                      buffer=availability.buffer):
                raise _wrong_status(await Session.get(id=session.id))
            moved = await booking.loaded(session.id)
            await record_change(moved, SessionStatus.SCHEDULED, changed_by=account,
                                reason_code=ChangeReason.RESCHEDULED)
            await session_mail.mail_session(caller.settings, moved, "session_changed",
                                            before=before)
            await announce(caller, moved, "session_rescheduled")
            await audit.record(caller, "reschedule_session", subject_type="session",
                               subject_id=session.id, person_id=session.client_id)
    except SlotTaken:
        raise fail(booking.TAKEN_MESSAGE, ErrorCode.SLOT_TAKEN, "startsAt") from None
    return await booking.loaded(session.id)


async def cancel_session(caller: Caller, session_id: UUID | None, *, reason: str = ""
                         ) -> Session:
    """Cancel by either side; by the client inside the cancellation window it is late."""
    account = caller.require_account()
    reason = _reason(reason)
    session = await party_session(account, session_id)
    async with in_transaction():
        await _cancel(caller, account, session, reason)
    cancelled = await booking.loaded(session.id)
    await domain_events.publish(SessionClosed(caller, cancelled))
    return cancelled


async def cancel_series(caller: Caller, series_id: UUID | None, start: datetime, *,
                        reason: str = "") -> list[Session]:
    """Cancel every scheduled session of a series that starts at or after `start`."""
    account = caller.require_account()
    reason = _reason(reason)
    series = None
    if series_id is not None:
        series = await SessionSeries.get_or_none(id=series_id).select_related(
            "engagement__service__professional")
    if series is None or account.id not in (
        series.engagement.client_id, series.engagement.service.professional.account_id
    ):
        raise fail("That series does not exist, or it is not yours.", ErrorCode.NOT_FOUND,
                   "seriesId")
    since = max(booking.aware(start, "from"), datetime.now(UTC))
    ids = _ids(await Session.filter(series_id=series.id, status=SessionStatus.SCHEDULED,
                                    starts_at__gte=since).order_by("starts_at").values_list(
                                        "id", flat=True))
    async with in_transaction():
        for session_id in ids:
            await _cancel(caller, account, await booking.loaded(session_id), reason)
    cancelled = [await booking.loaded(session_id) for session_id in ids]
    for session in cancelled:
        await domain_events.publish(SessionClosed(caller, session))
    return cancelled


def _ids(flat: object) -> list[UUID]:
    """`values_list("id", flat=True)` answers the ids; Tortoise's annotation says tuples."""
    return cast("list[UUID]", flat)


async def cancel_for_ended_engagement(ended: EngagementEnded) -> None:
    """Inside the transaction that ends an engagement: every session of it that has not
    started is cancelled, emailed with its calendar cancellation, and announced. Never late
    and never charged: the engagement ended, the time is free again."""
    caller, account, engagement_id = ended.caller, ended.ended_by, ended.engagement_id
    ids = _ids(await Session.filter(
        engagement_id=engagement_id, status=SessionStatus.SCHEDULED,
        starts_at__gt=datetime.now(UTC)).order_by("starts_at").values_list("id", flat=True))
    for session_id in ids:
        await _cancel(caller, account, await booking.loaded(session_id), "",
                      engagement_ended=True)


async def complete_session(caller: Caller, session_id: UUID | None) -> Session:
    """The professional says the session took place (once it has started); the card on file
    is charged when the service says so."""
    completed = await _close(caller, session_id, SessionStatus.COMPLETED, "session_completed",
                             action="complete_session")
    await domain_events.publish(SessionClosed(caller, completed))
    return completed


async def mark_no_show(caller: Caller, session_id: UUID | None) -> Session:
    """The professional says the client did not come (once it has started)."""
    return await _close(caller, session_id, SessionStatus.NO_SHOW, "session_no_show",
                        action="mark_no_show")


async def party_session(account: Account, session_id: UUID | None) -> Session:
    found = await visible_sessions(account, [session_id] if session_id else [])
    if session_id not in found:
        raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "sessionId")
    return await booking.loaded(session_id)


def is_late(session: Session, now: datetime) -> bool:
    """Whether a client cancelling now is inside the cancellation window it was booked with."""
    window = timedelta(hours=session.cancellation_window_hours)
    return now > session.starts_at - window


def can_cancel(account: Account | None, session: Session, now: datetime) -> bool:
    return (account is not None and session.status is SessionStatus.SCHEDULED
            and session.ends_at > now)


def cancellation_reason(settings: Settings, account: Account | None, session: Session
                        ) -> str | None:
    """The reason, for the two participants only; None when there is none or it is not
    theirs (or cannot be opened with this server key)."""
    sealed = session.cancellation_reason_sealed
    if (sealed is None or account is None
            or account.id not in (session.client_id, session.professional_id)):
        return None
    try:
        opened = orjson.loads(secrets_at_rest.decrypt(settings.secret_key, sealed,
                                                      purpose=REASON_PURPOSE))
    except secrets_at_rest.UndecryptableError:
        return None
    return opened["reason"] if opened.get("session") == str(session.id) else None


async def _cancel(caller: Caller, account: Account, session: Session, reason: str, *,
                  engagement_ended: bool = False) -> None:
    """Cancel one loaded session inside the caller's transaction."""
    now = datetime.now(UTC)
    if session.status is not SessionStatus.SCHEDULED or session.ends_at <= now:
        raise _wrong_status(session)
    late = (not engagement_ended and not _is_professional(account, session)
            and is_late(session, now))
    status = SessionStatus.LATE_CANCELLED if late else SessionStatus.CANCELLED
    sealed = None
    if reason:
        sealed = secrets_at_rest.encrypt(
            caller.settings.secret_key,
            orjson.dumps({"session": str(session.id), "reason": reason}),
            purpose=REASON_PURPOSE)
    changed = await Session.filter(id=session.id, status=SessionStatus.SCHEDULED).update(
        status=status, cancelled_at=now, cancelled_by_id=account.id,
        cancellation_reason_sealed=sealed, sequence=F("sequence") + 1, reminder_due_at=None,
        updated_at=now)
    if not changed:
        raise _wrong_status(await Session.get(id=session.id))
    cancelled = await booking.loaded(session.id)
    await record_change(cancelled, SessionStatus.SCHEDULED, changed_by=account,
                        reason_code=ChangeReason.ENGAGEMENT_ENDED if engagement_ended
                        else ChangeReason.LATE if late else None)
    await session_mail.mail_session(caller.settings, cancelled, "session_cancelled")
    await announce(caller, cancelled, "session_cancelled")
    await audit.record(caller, "cancel_session", subject_type="session", subject_id=session.id,
                       person_id=session.client_id)


async def _close(caller: Caller, session_id: UUID | None, status: SessionStatus,
                 kind: SessionEventKind, *, action: str) -> Session:
    account = caller.require_account()
    session = await party_session(account, session_id)
    if not _is_professional(account, session):
        raise fail("Only the professional can mark how a session went.", ErrorCode.NOT_ALLOWED,
                   "sessionId")
    now = datetime.now(UTC)
    if session.status is SessionStatus.SCHEDULED and session.starts_at > now:
        raise fail("This session has not started yet; mark it once it has.",
                   ErrorCode.WRONG_STATUS, "sessionId")
    async with in_transaction():
        changed = await Session.filter(id=session.id, status=SessionStatus.SCHEDULED,
                                       starts_at__lte=now).update(
            status=status, reminder_due_at=None, updated_at=now)
        if not changed:
            raise _wrong_status(await Session.get(id=session.id))
        closed = await booking.loaded(session.id)
        await record_change(closed, SessionStatus.SCHEDULED, changed_by=account)
        await announce(caller, closed, kind)
        await audit.record(caller, action, subject_type="session", subject_id=session.id,
                           person_id=session.client_id)
    return await booking.loaded(session.id)


def _is_professional(account: Account, session: Session) -> bool:
    return session.professional_id == account.id


def _require_upcoming(session: Session) -> None:
    if session.status is not SessionStatus.SCHEDULED:
        raise _wrong_status(session)
    if session.starts_at <= datetime.now(UTC):
        raise fail("This session has already started and cannot be moved.",
                   ErrorCode.WRONG_STATUS, "sessionId")


def _reason(reason: str) -> str:
    reason = reason.strip()
    if error := text_error(reason, "reason", max_length=1_000):
        raise UserErrors(error)
    return reason


def _wrong_status(session: Session) -> UserErrors:
    return fail({
        SessionStatus.SCHEDULED: "This session has already ended; mark it completed or a "
                                 "no-show instead.",
        SessionStatus.COMPLETED: "This session has already been completed.",
        SessionStatus.CANCELLED: "This session has already been cancelled.",
        SessionStatus.LATE_CANCELLED: "This session has already been cancelled.",
        SessionStatus.NO_SHOW: "This session has already been marked a no-show.",
    }[session.status], ErrorCode.WRONG_STATUS, "sessionId")
