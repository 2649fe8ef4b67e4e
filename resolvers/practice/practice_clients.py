"""A professional's clients (as resolvers/practice/client_profiles.py defines them: an
engagement that
was accepted at some point, active now or ended), searchable by name or email and sortable by
next or last session.

Two queries whatever the page: the engagements (with the client joined in) and one aggregate
of the professional's sessions grouped by client. Sorting and the cursor are applied here, on
one row per client, which stays cheap for a practice's few hundred clients and keeps the sort
keys (computed per client) out of SQL that would differ between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise.expressions import Case, F, Q, When
from tortoise.functions import Count, Max, Min

from models.accounts import Account
from models.practice import Engagement
from models.scheduling import Session, SessionStatus
from resolvers.core.caller import Caller
from resolvers.core.errors import fail
from resolvers.core.pagination import FIRST_PAGE, Page, PageRequest, decode_cursor, encode_cursor
from resolvers.practice.progress import as_datetime


class ClientOrder(StrEnum):
    NAME = "name"
    NEXT_SESSION = "next_session"
    """Soonest upcoming session first; clients with none booked last."""
    LAST_SESSION = "last_session"
    """Most recently seen first; clients never seen last."""


@dataclass
class PracticeClient:
    account: Account
    engagements: list[Engagement] = field(default_factory=list)
    next_session_at: datetime | None = None
    last_session_at: datetime | None = None
    """Start of the latest attended (completed) session."""
    sessions_attended: int = 0


_KINDS: dict[ClientOrder, list[type]] = {
    ClientOrder.NAME: [str, str],
    ClientOrder.NEXT_SESSION: [int, str, str, str],
    ClientOrder.LAST_SESSION: [int, float, str, str],
}


def _sort_key(client: PracticeClient, order: ClientOrder) -> list[Any]:
    name, ident = client.account.name.casefold(), str(client.account.id)
    if order is ClientOrder.NEXT_SESSION:
        at = client.next_session_at
        return [int(at is None), at.isoformat() if at else "", name, ident]
    if order is ClientOrder.LAST_SESSION:
        at = client.last_session_at
        return [int(at is None), -at.timestamp() if at else 0.0, name, ident]
    return [name, ident]


async def practice_clients(caller: Caller, *, search: str | None = None,
                           order: ClientOrder = ClientOrder.NAME,
                           request: PageRequest = FIRST_PAGE, now: datetime | None = None,
                           practice_engagements: Awaitable[list[Engagement]] | None = None,
                           ) -> Page[PracticeClient]:
    """`practice_engagements`: every engagement of the practice, oldest first with its client
    joined in, when the request has read them already; used when there is no search."""
    account = caller.require_professional()
    searching = search is not None and bool(search.strip())
    if practice_engagements is not None and not searching:
        engagements = [e for e in await practice_engagements if e.started_at is not None]
    else:
        query = Engagement.filter(service__professional__account_id=account.id,
                                  started_at__isnull=False)
        if search is not None and searching:
            term = search.strip()
            if len(term) > 200:
                raise fail("Search with at most 200 characters.", field="search")
            query = query.filter(Q(client__name__icontains=term)
                                 | Q(client__email__icontains=term))
        engagements = await query.order_by("created_at", "id").select_related(
            "client", "service__professional")
    clients: dict[UUID, PracticeClient] = {}
    for engagement in engagements:
        clients.setdefault(engagement.client_id, PracticeClient(engagement.client)
                           ).engagements.append(engagement)
    if clients:
        await _add_session_figures(account, clients, now or datetime.now(UTC))
    ordered = sorted(clients.values(), key=lambda c: _sort_key(c, order),
                     reverse=request.backward)
    if request.cursor:
        start = decode_cursor(request.cursor, _KINDS[order], request.cursor_field)
        ordered = [c for c in ordered
                   if (_sort_key(c, order) < start if request.backward
                       else _sort_key(c, order) > start)]
    items = ordered[:request.size]
    return request.page(items, [encode_cursor(_sort_key(c, order)) for c in items],
                        more=len(ordered) > request.size)


async def _add_session_figures(account: Account, clients: dict[UUID, PracticeClient],
                               now: datetime) -> None:
    """One GROUP BY client over the professional's sessions."""
    completed = SessionStatus.COMPLETED
    # Tortoise's aggregates take a Case (they build SQL from any expression); their annotation
    # names only fields and F, hence the ignores.
    rows = await Session.filter(professional_id=account.id).annotate(
        next=Min(Case(When(status=SessionStatus.SCHEDULED, ends_at__gt=now,  # type: ignore[arg-type]
                           then=F("starts_at")), default=None)),
        last=Max(Case(When(status=completed, then=F("starts_at")), default=None)),  # type: ignore[arg-type]
        attended=Count(Case(When(status=completed, then=F("id")), default=None)),  # type: ignore[arg-type]
    ).group_by("client_id").values("client_id", "next", "last", "attended")
    for row in rows:
        client_id = row["client_id"]
        client = clients.get(client_id if isinstance(client_id, UUID) else UUID(str(client_id)))
        if client is not None:
            client.next_session_at = as_datetime(row["next"])
            client.last_session_at = as_datetime(row["last"])
            client.sessions_attended = int(row["attended"] or 0)
