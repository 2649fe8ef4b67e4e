"""Who looked at whose personal data, from the audit log: the right health-records law gives
patients (a client's own log) and the professional's record of their own reads.

Only reads of personal data count as access here: a client profile opened, a page of notes
read, an export made. Other audited actions (bookings, payments, sign-ins) stay in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from models.accounts import Account
from models.audit import AuditEntry
from resolvers.core.pagination import FIRST_PAGE, Page, PageRequest, keyset_page


class AccessKind(StrEnum):
    PROFILE = "read_client_profile"
    NOTES = "read_notes"
    EXPORT = "export_my_data"


ACCESS_ACTIONS = [kind.value for kind in AccessKind]
ORDER: list[tuple[str, type, bool]] = [("sequence", int, True)]
"""Newest first; the chain's sequence is unique and follows the order entries were written."""


@dataclass(frozen=True)
class Access:
    id: UUID
    at: datetime
    kind: AccessKind
    by_id: UUID | None
    by_name: str | None
    """None when the account no longer exists."""
    about_id: UUID | None
    about_name: str | None
    address: str
    """Where the reader was; shown only in a reader's own log."""


async def accesses_to_my_data(account: Account, *, request: PageRequest = FIRST_PAGE
                              ) -> Page[Access]:
    """Every read of this person's data, by anyone (the person themself included)."""
    query = AuditEntry.filter(person_id=account.id, action__in=ACCESS_ACTIONS)
    return await _accesses(await keyset_page(query, order=ORDER, request=request))


async def accesses_by_me(account: Account, *, request: PageRequest = FIRST_PAGE
                         ) -> Page[Access]:
    """Every read of someone's data this account made: a professional's own practice log."""
    query = AuditEntry.filter(actor_id=account.id, action__in=ACCESS_ACTIONS)
    return await _accesses(await keyset_page(query, order=ORDER, request=request))


async def _accesses(page: Page[AuditEntry]) -> Page[Access]:
    people = {person for entry in page.items for person in (entry.actor_id, entry.person_id)
              if person}
    names = dict(await Account.filter(id__in=people).values_list("id", "name")) if people else {}
    return Page(
        items=[Access(id=entry.id, at=entry.at, kind=AccessKind(entry.action),
                      by_id=entry.actor_id, by_name=names.get(entry.actor_id),
                      about_id=entry.person_id, about_name=names.get(entry.person_id),
                      address=entry.address)
               for entry in page.items],
        cursors=page.cursors, has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )
