"""A session's "Add to calendar" file: a signed, short-lived link to one `.ics`.

Signed like a receipt link (resolvers/core/signed_links.py): the session, the account it was
given to and an expiry. When it is opened the account must still be the session's client or
professional; the file shows the session as that side's calendar does. Every refusal (tampered,
expired, someone else's, no such session) answers 404 alike, so a link tells nobody whether
a session exists.
"""

from __future__ import annotations

from datetime import datetime

from models.accounts import Account
from models.scheduling import Session
from resolvers.core import signed_links
from resolvers.core.validation import as_uuid
from resolvers.scheduling import session_mail
from settings import Settings
from timetable import ics

PURPOSE = "session-calendar-file"


def calendar_file_url(settings: Settings, session: Session, account: Account | None, *,
                      now: datetime | None = None) -> str | None:
    """A link to the session's `.ics` for this viewer; only its two participants get one."""
    if account is None or account.id not in (session.client_id, session.professional_id):
        return None
    expires = signed_links.expiry(settings.calendar_file_minutes, now=now)
    signature = signed_links.signature(settings, PURPOSE, str(session.id), str(account.id),
                                       expires)
    return (f"{settings.public_url}/sessions/{session.id}.ics"
            f"?for={account.id}&expires={expires}&signature={signature}")


async def open_calendar_file(settings: Settings, session_id: str, *, for_account: str,
                             expires: str, signature: str) -> bytes | None:
    """The `.ics` behind a signed link, or None for any link that does not open it."""
    if not signed_links.genuine(settings, PURPOSE, session_id, for_account, expires,
                                given=signature) or signed_links.expired(expires):
        return None
    session_uuid, account_uuid = as_uuid(session_id), as_uuid(for_account)
    if session_uuid is None or account_uuid is None:
        return None
    found = await session_mail.load(Session.filter(id=session_uuid))
    if not found or account_uuid not in (found[0].client_id, found[0].professional_id):
        return None
    session = found[0]
    return ics.download(session_mail.calendar_event(
        session, for_professional=session.professional_id == account_uuid))
