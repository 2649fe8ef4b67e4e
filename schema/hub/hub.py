"""The therapy hub in the API: a signed-in client's sessions and services in one query.

The hub answers a first page by default (a few upcoming sessions, a page of past ones) and the
rest through pagination: GraphQL execution in Python costs tens of microseconds per object, so
returning every session ever held would make the SPA's home page slow (BENCHMARKS.md).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated, cast
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader

from models import practice as m_practice
from models import scheduling as m
from resolvers.core.caller import Caller
from resolvers.core.pagination import PageRequest
from resolvers.hub import hub
from resolvers.payments import payment_queries
from resolvers.practice.progress import Progress as ProgressFigures
from resolvers.practice.progress import progress_by_engagement
from schema.core.context import Info, viewer_time_zone
from schema.core.ids import node_uuid
from schema.core.loaders import Loaders
from schema.core.once import Once
from schema.core.pagination import BOTH_WAYS, After, Before, Connection, First, Last
from schema.core.query_errors import user_errors_as_graphql_errors
from schema.core.selections import asks_for
from schema.payments.payment_types import Payment, PaymentTotal
from schema.practice.engagement_types import Engagement
from schema.practice.practice_types import EngagementStatus
from schema.scheduling.session_types import Session


@strawberry.type(description="Counts across every service the client uses.")
class HubTotals:
    sessions_attended: int = strawberry.field(
        description="Completed sessions, with every professional the client has seen."
    )
    services: int = strawberry.field(
        description="Services the client is or was an active client of."
    )
    professionals: int = strawberry.field(
        description="Different professionals the client is or was an active client of; one "
                    "professional with two services counts once."
    )
    _client_id: strawberry.Private[UUID]

    @strawberry.field(description="Paid minus refunded per currency (never added across "
                                  "currencies), alphabetically by currency.")
    async def paid(self) -> list[PaymentTotal]:
        return [PaymentTotal.of(t)
                for t in await payment_queries.totals_paid(client_id=self._client_id)]


@strawberry.type(description="A client's home page: everything across all their services.")
class Hub:
    time_zone: str = strawberry.field(description="The client's IANA zone; *Local times use it.")
    totals: HubTotals = strawberry.field(
        description="Sessions attended, services and professionals, across everything.")
    _engagements: strawberry.Private[list[m_practice.Engagement]]
    _progress: strawberry.Private[dict[UUID, ProgressFigures] | None]
    """Fetched ahead when the query asks for progress or totals: then plain values."""
    _now: strawberry.Private[datetime]
    _upcoming: strawberry.Private[DataLoader[hub.UpcomingAsk, list[m.Session]]]
    """nextSession and upcomingSessions share one query (they resolve in the same tick)."""

    @strawberry.field(description="The soonest booked session that has not ended; check "
                                  "canJoin to show its join button.")
    async def next_session(self, info: Info) -> Session | None:
        found = await self._upcoming.load(hub.UpcomingAsk(first=1))
        return Session.of(found[0], info.context.viewpoint, info.context.loaders) if found else None

    @strawberry.field(description="Booked sessions that have not ended, soonest first. "
                                  f"`first` is at most {hub.MAX_UPCOMING}. With "
                                  "includeCancelled, sessions cancelled ahead of their time "
                                  "show too (status CANCELLED or LATE_CANCELLED) until that "
                                  "time has passed; then they are in pastSessions.")
    @user_errors_as_graphql_errors
    async def upcoming_sessions(
        self, info: Info,
        first: Annotated[int, strawberry.argument(
            description=f"How many, from 1 to {hub.MAX_UPCOMING} (INVALID_INPUT otherwise).")
        ] = 5,
        include_cancelled: Annotated[bool, strawberry.argument(
            description="Also list sessions cancelled ahead of a time still to come, so the "
                        "client sees what was called off.")] = False,
    ) -> list[Session]:
        hub.check_upcoming_first(first)
        found = await self._upcoming.load(hub.UpcomingAsk(first, include_cancelled))
        return Session.list_of(found, info.context.viewpoint, info.context.loaders)

    @strawberry.field(description="Sessions that have ended, whatever their status, newest "
                                  "first. Filter by one service with serviceId." + BOTH_WAYS)
    @user_errors_as_graphql_errors
    async def past_sessions(self, info: Info, first: First = None, after: After = None,
                            last: Last = None, before: Before = None,
                            service_id: Annotated[strawberry.ID | None, strawberry.argument(
                                description="Only this Service's sessions; a service that is "
                                            "not one of the client's gives an empty page, not "
                                            "an error. Null: every service.")] = None,
                            ) -> Connection[Session]:
        page = await hub.past_sessions(
            info.context.caller,
            request=PageRequest.of(first=first, after=after, last=last, before=before),
            service_id=node_uuid(service_id, "Service") if service_id else None,
            filter_by_service=service_id is not None, now=self._now,
        )
        return Connection.of(page, Session.seen_by(info))

    @strawberry.field(description="Every engagement, newest first, each with its service, "
                                  "professional and progress.")
    def engagements(self, info: Info, statuses: Annotated[
            list[EngagementStatus] | None, strawberry.argument(
                description="Only engagements in these statuses; null or empty: all of them.")
    ] = None) -> list[Engagement]:
        return Engagement.list_of((e for e in self._engagements
                                   if not statuses or e.status in statuses),
                                  info.context.viewpoint, info.context.loaders, self._progress)

    @strawberry.field(description="Payments to every professional, newest first; each paid one "
                                  "has its receiptUrl." + BOTH_WAYS)
    @user_errors_as_graphql_errors
    async def payments(self, info: Info, first: First = None, after: After = None,
                       last: Last = None, before: Before = None) -> Connection[Payment]:
        page = await hub.payments(
            info.context.caller,
            request=PageRequest.of(first=first, after=after, last=last, before=before))
        return Connection.of(page, Payment.of)


@strawberry.type
class HubQueries:
    @strawberry.field(description="The signed-in client's therapy hub across every service.")
    async def hub(self, info: Info) -> Hub:
        caller = info.context.caller
        engagements = await hub.client_engagements(caller)
        loaders = info.context.loaders
        loaders.remember(*engagements, caller.require_account())
        zone, now = viewer_time_zone(info), info.context.viewpoint.now
        progress = (await progress_by_engagement([e.id for e in engagements], time_zone=zone,
                                                 now=now)
                    if asks_for(info, "engagements", "progress") or asks_for(info, "totals")
                    else None)
        return Hub(time_zone=zone, totals=_totals(caller, engagements, progress, loaders, zone),
                   _engagements=engagements, _progress=progress, _now=now,
                   _upcoming=DataLoader(partial(hub.upcoming_together, caller, now)))


def _totals(caller: Caller, engagements: list[m_practice.Engagement],
            progress: dict[UUID, ProgressFigures] | None, loaders: Loaders, zone: str
            ) -> HubTotals:
    """From the progress fetched ahead; if it was not, loaded when awaited."""
    def of(figures: list[ProgressFigures]) -> HubTotals:
        found = hub.totals(engagements, figures)
        return HubTotals(sessions_attended=found.sessions_attended, services=found.services,
                         professionals=found.professionals,
                         _client_id=caller.require_account().id)

    if progress is not None:
        return of([progress[e.id] for e in engagements])

    async def load() -> HubTotals:
        return of(list(await loaders.progress(zone).load_many([e.id for e in engagements])))

    return cast("HubTotals", Once(load))
