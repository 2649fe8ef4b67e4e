"""Reading payments: of a session, of the signed-in client, of one of a professional's clients,
and totals paid per currency. The hub and the client profile reuse these.

Every function filters by the caller's own account, so an id from the client can narrow a
list but never widen it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.payments import Payment, PaymentStatus
from resolvers.core.pagination import FIRST_PAGE, Page, PageRequest, keyset_page

NEWEST_FIRST: list[tuple[str, type, bool]] = [("created_at", datetime, True), ("id", UUID, True)]
PAID_STATUSES = (PaymentStatus.PAID, PaymentStatus.REFUNDED)
_WITH_SESSION = "session__engagement__service__professional"
"""Prefetched with every list (one query per level, whatever the page size). Not
select_related: four levels deep it mixes up columns on PostgreSQL (Tortoise 1.x)."""


@dataclass(frozen=True)
class Total:
    currency: str
    paid: int
    """Paid minus refunded, in minor units."""
    refunded: int
    count: int


async def payments_of_session(account: Account, session_id: UUID | None) -> list[Payment]:
    """Every attempt to pay for one session, newest first; empty for a session that is not the
    viewer's (as client or professional) or does not exist."""
    if session_id is None:
        return []
    return await Payment.filter(
        Q(client_id=account.id) | Q(professional_id=account.id), session_id=session_id,
    ).order_by("-created_at", "-id").prefetch_related(_WITH_SESSION)


async def my_payments(account: Account, *, request: PageRequest = FIRST_PAGE
                      ) -> Page[Payment]:
    """The signed-in client's payments across every professional, newest first."""
    return await _page(Payment.filter(client_id=account.id), request)


async def client_payments(professional: Account, client_id: UUID, *,
                          request: PageRequest = FIRST_PAGE) -> Page[Payment]:
    """The payments one client made to this professional, newest first."""
    query = Payment.filter(professional_id=professional.id, client_id=client_id)
    return await _page(query, request)


async def totals_paid(*, client_id: UUID | None = None,
                      professional_id: UUID | None = None) -> list[Total]:
    """Paid and refunded sums per currency (currencies are never added together), for a
    client, a professional, or one client of one professional. The caller passes its own
    account id as one of the two."""
    assert client_id or professional_id, "totals are always of someone"
    filters: dict[str, object] = {"status__in": list(PAID_STATUSES)}
    if client_id:
        filters["client_id"] = client_id
    if professional_id:
        filters["professional_id"] = professional_id
    rows = await Payment.filter(**filters).annotate(
        amount_sum=Sum("amount"), refunded_sum=Sum("refunded_amount"), count=Count("id"),
    ).group_by("currency").order_by("currency").values(
        "currency", "amount_sum", "refunded_sum", "count")
    return [Total(currency=row["currency"], paid=int(row["amount_sum"] or 0)
                  - int(row["refunded_sum"] or 0), refunded=int(row["refunded_sum"] or 0),
                  count=int(row["count"])) for row in rows]


async def _page(query: QuerySet[Payment], request: PageRequest) -> Page[Payment]:
    return await keyset_page(query.prefetch_related(_WITH_SESSION), order=NEWEST_FIRST,
                             request=request)
