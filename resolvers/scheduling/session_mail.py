"""Emails about sessions, each with an .ics attachment, to both participants.

Written through the outbox inside the transaction of the change, so a rolled-back booking
sends nothing. What leaves us (subject, body, calendar file) names the service and the other
person only: never a cancellation reason or anything else about someone's health.
Times are shown on each recipient's own clock, with the zone named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tortoise.queryset import QuerySet

from gateways.mail import Attachment
from models.accounts import Account
from models.practice import Service
from models.scheduling import Session, SessionStatus
from resolvers.core import node_ids, outbox
from settings import Settings
from timetable import ics

_CANCELLED = (SessionStatus.CANCELLED, SessionStatus.LATE_CANCELLED)


async def load(query: QuerySet[Session]) -> list[Session]:
    """Sessions with what emails and calendars show: engagement, client, and the service with
    its professional's profile and account.

    Two queries rather than one deep join: PostgreSQL cuts identifiers at 63 characters, and
    the column aliases of a five-level join are longer, so Tortoise would mix up columns.
    """
    sessions = await query.select_related("engagement", "client")
    services = {service.id: service for service in await Service.filter(
        id__in={s.engagement.service_id for s in sessions}).select_related(
            "professional__account")}
    for session in sessions:
        session.engagement.service = services[session.engagement.service_id]
    return sessions


@dataclass(frozen=True)
class _Recipient:
    account: Account
    name: str
    other: str
    role: str


def _recipients(session: Session) -> list[_Recipient]:
    profile = session.engagement.service.professional
    return [
        _Recipient(session.client, session.client.name, profile.display_name, "client"),
        _Recipient(profile.account, profile.display_name, session.client.name, "professional"),
    ]


def when(moment: datetime, account: Account) -> str:
    """A time on the recipient's clock: `2026-03-30 09:00 (Europe/London)`."""
    return f"{moment.astimezone(ZoneInfo(account.time_zone)):%Y-%m-%d %H:%M} ({account.time_zone})"


def calendar_event(session: Session, *, for_professional: bool) -> ics.CalendarEvent:
    """The session as the given side's calendar shows it."""
    profile = session.engagement.service.professional
    other = session.client.name if for_professional else profile.display_name
    return ics.CalendarEvent(
        uid=f"{session.id}@therapyhub", starts_at=session.starts_at, ends_at=session.ends_at,
        summary=f"{session.engagement.service.title}: {other}", changed_at=session.updated_at
        or datetime.now(UTC), sequence=session.sequence,
        cancelled=session.status in _CANCELLED,
        organizer=ics.Participant(profile.account.email, profile.display_name),
        attendees=(ics.Participant(session.client.email, session.client.name),),
    )


def attachment(session: Session, *, for_professional: bool) -> Attachment:
    event = calendar_event(session, for_professional=for_professional)
    return Attachment(filename=f"session-{session.starts_at:%Y%m%d-%H%M}.ics",
                      content_type=ics.content_type(event), data=ics.message(event))


async def mail_session(settings: Settings, session: Session, template: str, *,
                       before: datetime | None = None, dedupe: str | None = None) -> None:
    """One email to each participant about one session (loaded with `load`)."""
    for recipient in _recipients(session):
        await outbox.enqueue(
            settings, to=recipient.account.email, template=template,
            locale=recipient.account.locale,
            values={"name": recipient.name, "other": recipient.other,
                    "service": session.engagement.service.title,
                    "when": when(session.starts_at, recipient.account),
                    "before": when(before, recipient.account) if before else "",
                    "link": f"{settings.public_url}/sessions/"
                            f"{node_ids.in_path('Session', session.id)}"},
            attachments=[attachment(session, for_professional=recipient.role == "professional")],
            dedupe_key=f"{dedupe}:{recipient.role}" if dedupe else None,
        )


async def mail_series(settings: Settings, sessions: Sequence[Session],
                      skipped: Sequence[datetime]) -> None:
    """One email to each participant for a whole series, a calendar file per session."""
    first = sessions[0]
    for recipient in _recipients(first):
        professional = recipient.role == "professional"
        await outbox.enqueue(
            settings, to=recipient.account.email, template="session_series_booked",
            locale=recipient.account.locale,
            values={"name": recipient.name, "other": recipient.other,
                    "service": first.engagement.service.title,
                    "dates": "\n".join(when(s.starts_at, recipient.account) for s in sessions),
                    "skipped": ", ".join(when(t, recipient.account) for t in skipped),
                    "link": f"{settings.public_url}/sessions"},
            attachments=[attachment(s, for_professional=professional) for s in sessions],
        )
