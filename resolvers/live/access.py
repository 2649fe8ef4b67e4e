"""Which session a participant may be in now: the one rule joining, signalling and listening share.

A session the caller does not take part in fails exactly like one that does not exist, so a
third account learns nothing about it, not even that it exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from models.accounts import Account
from models.live import CallParticipant, ParticipantRole
from models.scheduling import Session, SessionStatus
from resolvers.errors import ErrorCode, UserErrors, fail
from resolvers.session_access import visible_sessions
from settings import Settings

NOT_FOUND_MESSAGE = "That session does not exist, or it is not yours."


def not_found() -> UserErrors:
    return fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "sessionId")


async def participant_session(account: Account, session_id: UUID | None) -> Session:
    found = await visible_sessions(account, [session_id] if session_id else [])
    if session_id not in found:
        raise not_found()
    return found[session_id]


def role_of(account: Account, session: Session) -> ParticipantRole:
    if session.professional_id == account.id:
        return ParticipantRole.PROFESSIONAL
    return ParticipantRole.CLIENT


def peer_id(account: Account, session: Session) -> UUID:
    return session.client_id if session.professional_id == account.id else session.professional_id


def join_opens_at(settings: Settings, session: Session) -> datetime:
    return session.starts_at - timedelta(minutes=settings.join_window_minutes)


def live_problem(settings: Settings, session: Session, now: datetime) -> UserErrors | None:
    """Why the call of this session cannot be in progress now, or None when it can."""
    if session.status is not SessionStatus.SCHEDULED:
        return fail("This session is not scheduled any more (it was cancelled or has been "
                    "closed), so it cannot be joined.", ErrorCode.SESSION_NOT_SCHEDULED,
                    "sessionId")
    opens = join_opens_at(settings, session)
    if now < opens:
        return fail(f"Joining opens at {opens.isoformat()} ({settings.join_window_minutes} "
                    "minutes before the start); come back then.", ErrorCode.TOO_EARLY,
                    "sessionId")
    if now >= session.ends_at:
        return fail("This session has ended; it can no longer be joined.",
                    ErrorCode.SESSION_OVER, "sessionId")
    return None


def require_live(settings: Settings, session: Session, now: datetime) -> None:
    if (problem := live_problem(settings, session, now)) is not None:
        raise problem


async def present_participant(account: Account, session: Session) -> CallParticipant:
    """The caller's attendance, which must be current (joined and not left)."""
    participant = await CallParticipant.get_or_none(session_id=session.id, account_id=account.id)
    if participant is None or participant.left_at is not None:
        raise fail("Join the session (joinSession) before sending signals.",
                   ErrorCode.NOT_JOINED, "sessionId")
    return participant
