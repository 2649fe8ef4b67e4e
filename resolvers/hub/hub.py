"""The therapy hub: a client's sessions, engagements and totals across every service they use.

Nothing here is stored: it is read from engagements and sessions by a few queries whose number
does not depend on how many there are. Every query is filtered by the signed-in client, so an id
or cursor from elsewhere can only narrow what they see, never widen it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from models.payments import Payment
from models.practice import Engagement, ProfessionalProfile, Service
from models.scheduling import Session, SessionStatus
from resolvers.core import hand_sql
from resolvers.core.caller import Caller
from resolvers.core.errors import fail
from resolvers.core.pagination import Page, PageRequest, keyset_page
from resolvers.payments import payment_queries
from resolvers.practice.progress import Progress

MAX_UPCOMING = 50
UPCOMING_WITH_CANCELLED = (SessionStatus.SCHEDULED, SessionStatus.CANCELLED,
                           SessionStatus.LATE_CANCELLED)
PAST_ORDER = [("starts_at", datetime, True), ("id", UUID, True)]


@dataclass(frozen=True)
class Totals:
    sessions_attended: int
    services: int
    """Services the client has been an active client of (now or before)."""
    professionals: int


def _engagements_sql() -> str:
    """Column names from the models; the request's values go in as parameters."""
    return (f"SELECT {hand_sql.columns(Engagement, 'e')}, {hand_sql.columns(Service, 's')}, "  # noqa: S608
            f"{hand_sql.columns(ProfessionalProfile, 'p')} FROM engagement e "
            "JOIN service s ON s.id = e.service_id "
            "JOIN professional_profile p ON p.id = s.professional_id "
            "WHERE e.client_id = ? ORDER BY e.created_at DESC, e.id DESC")


async def client_engagements(caller: Caller) -> list[Engagement]:
    """Every engagement of the signed-in client, newest first, with service and professional
    joined in (one query), so the hub's relation fields need no more (the client is the
    caller, whom the schema remembers too). Hand-written: every hub page runs it."""
    account = caller.require_account()
    rows = await hand_sql.fetch(_engagements_sql(), [account.id])
    engagements = rows.models(Engagement, "e")
    for engagement, service, profile in zip(engagements, rows.models(Service, "s"),
                                            rows.models(ProfessionalProfile, "p"), strict=True):
        hand_sql.attach(service, "professional", profile)
        hand_sql.attach(engagement, "service", service)
    return engagements


_UPCOMING = ("SELECT * FROM scheduling_session WHERE client_id = ? AND status IN ({statuses}) "
             "AND ends_at > ? ORDER BY {order}, id LIMIT ?")
_UPCOMING_BOOKED = _UPCOMING.format(statuses="?", order="ends_at")
"""By end: a client's booked sessions never overlap (the `session_client_no_overlap` rule), so
they end in the order they start, and the (client_id, ends_at) index hands over the few ahead
in that order. By start, PostgreSQL's plan for the prepared statement (made without knowing
that the instant is now) walked the client's whole history from its first session."""
_UPCOMING_ALL = _UPCOMING.format(statuses=", ".join("?" for _ in UPCOMING_WITH_CANCELLED),
                                 order="starts_at")
"""Cancelled sessions may overlap others: by start."""


async def _upcoming(client_id: UUID, now: datetime, limit: int, *,
                    with_cancelled: bool = False) -> list[Session]:
    """Booked sessions that have not ended: one in progress still shows, so it can be joined.
    With `with_cancelled`, also those cancelled ahead of their time, until that time passes."""
    statuses = UPCOMING_WITH_CANCELLED if with_cancelled else (SessionStatus.SCHEDULED,)
    rows = await hand_sql.fetch(_UPCOMING_ALL if with_cancelled else _UPCOMING_BOOKED,
                                [client_id, *statuses, now, limit])
    return rows.models(Session)


@dataclass(frozen=True)
class UpcomingAsk:
    """One field's question for upcoming sessions: nextSession asks for the first one."""

    first: int
    with_cancelled: bool = False


def check_upcoming_first(first: int) -> None:
    if not 1 <= first <= MAX_UPCOMING:
        raise fail(f"Ask for between 1 and {MAX_UPCOMING} upcoming sessions.", field="first")


async def upcoming_together(caller: Caller, now: datetime, asks: list[UpcomingAsk]
                            ) -> list[list[Session]]:
    """nextSession and every upcomingSessions(first:) of one hub, batched: one query per kind
    (booked only, or with the cancelled ones) for the longest list, sliced for each field."""
    account = caller.require_account()
    longest: dict[bool, list[Session]] = {}
    for kind in {ask.with_cancelled for ask in asks}:
        limit = max(ask.first for ask in asks if ask.with_cancelled == kind)
        longest[kind] = await _upcoming(account.id, now, limit, with_cancelled=kind)
    return [longest[ask.with_cancelled][:ask.first] for ask in asks]


async def past_sessions(caller: Caller, *, request: PageRequest,
                        service_id: UUID | None = None, filter_by_service: bool = False,
                        now: datetime | None = None) -> Page[Session]:
    """Sessions that have ended (whatever became of them), newest first.

    A service id that is not one of the client's (or not an id at all) gives an empty page,
    exactly like a service they have no sessions with. Hand-written (the keyset of
    resolvers/core/pagination.py as fixed SQL): every hub page and every page of the
    history runs it.
    """
    account = caller.require_account()
    if filter_by_service and service_id is None:
        return request.page([], [], more=False)
    where = "client_id = ? AND ends_at <= ?"
    values: list[object] = [account.id, now or datetime.now(UTC)]
    if filter_by_service:
        where += " AND engagement_id IN (SELECT id FROM engagement WHERE service_id = ?)"
        values.append(service_id)
    return await hand_sql.keyset_page(Session, where, values, order=PAST_ORDER,
                                      request=request)


async def payments(caller: Caller, *, request: PageRequest) -> Page[Payment]:
    """The client's payments to every professional, newest first, each with its session.

    Not payment_queries.my_payments: that prefetches session, engagement, service and profile
    level by level (four queries); in the hub the engagements, services and profiles are in the
    loaders already, so the sessions are the only thing left to fetch.
    """
    account = caller.require_account()
    page = await keyset_page(Payment.filter(client_id=account.id),
                             order=payment_queries.NEWEST_FIRST, request=request)
    if page.items:
        sessions = {s.id: s for s in await Session.filter(
            id__in={p.session_id for p in page.items})}
        for payment in page.items:
            payment.session = sessions[payment.session_id]
    return page


def totals(engagements: list[Engagement], progress: list[Progress]) -> Totals:
    """Services and professionals count once each, however many engagements they had; only
    engagements that started count (a request withdrawn before approval ends never started)."""
    served = [e for e in engagements if e.started_at is not None]
    return Totals(
        sessions_attended=sum(p.attended for p in progress),
        services=len({e.service_id for e in served}),
        professionals=len({e.service.professional_id for e in served}),
    )
