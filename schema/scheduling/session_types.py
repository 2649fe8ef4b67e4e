"""Sessions in the API: one appointment of a client with a professional."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, Self, cast

import strawberry
from strawberry import relay

from models import practice as practice_models
from models import scheduling as m
from models.live import ParticipantRole
from resolvers import live
from resolvers.scheduling import session_access, session_calendar_files, session_changes
from schema.core.context import Info
from schema.core.ids import GLOBAL_ID, global_id, visible_nodes
from schema.core.loaders import Loaders
from schema.core.once import Once
from schema.core.viewpoint import Viewpoint
from schema.live.types import CallParticipant
from schema.practice.engagement_types import ClientContact, Engagement
from schema.practice.practice_types import (
    EngagementSide,
    Money,
    ProfessionalProfile,
    Service,
)
from schema.scheduling.scheduling_types import SessionChange, SessionStatus


class _Relations(NamedTuple):
    engagement: Engagement
    service: Service
    professional: ProfessionalProfile


def _relations(session: m.Session, viewpoint: Viewpoint, loaders: Loaders) -> _Relations:
    """The session's engagement, service and professional as API objects, built once per
    engagement in a request: every session of a list shares them."""
    return loaders.shown(_Relations, session.engagement_id,
                         lambda: _relations_of(session, viewpoint, loaders))


def _relations_of(session: m.Session, viewpoint: Viewpoint, loaders: Loaders) -> _Relations:
    """The engagement's, when it is in hand (its own relations are in hand or load when asked
    for); otherwise shared awaitables that load them (GraphQL awaits a plain field's awaitable
    value)."""
    engagement = loaders.engagement_now(session)
    if engagement is not None:
        shown = Engagement.of(engagement, viewpoint, loaders)
        return _Relations(shown, shown.service, shown.professional)

    async def load_engagement() -> Engagement:
        return Engagement.of(await loaders.engagement_of(session), viewpoint, loaders)

    async def load_service() -> Service:
        return Service.of(await loaders.session_service(session))

    async def load_professional() -> ProfessionalProfile:
        return ProfessionalProfile.of(await loaders.session_profile(session))

    return _Relations(cast("Engagement", Once(load_engagement)),
                      cast("Service", Once(load_service)),
                      cast("ProfessionalProfile", Once(load_professional)))


@strawberry.type(description="One appointment of a client with a professional.")
class Session(relay.Node):
    session_id: relay.NodeID[str]
    id: strawberry.ID = strawberry.field(description=GLOBAL_ID)
    status: SessionStatus = strawberry.field(
        description="Where the session stands; only SCHEDULED sessions can be moved, cancelled or "
                    "joined.")
    starts_at: datetime = strawberry.field(description="UTC.")
    ends_at: datetime = strawberry.field(description="UTC.")
    length_minutes: int = strawberry.field(
        description="How long it lasts, in minutes (endsAt minus startsAt).")
    price: Money = strawberry.field(description="The service's price when it was booked.")
    vat_rate_basis_points: int = strawberry.field(
        description="VAT included in the price, in hundredths of a percent (2400 is 24 %), fixed "
                    "at booking.")
    cancelled_at: datetime | None = strawberry.field(
        description="When it was cancelled (UTC); null unless CANCELLED or LATE_CANCELLED.")
    created_at: datetime = strawberry.field(description="When it was booked (UTC).")
    starts_at_local: datetime = strawberry.field(
        description="The start in the viewer's time zone (ISO 8601 with offset).")
    ends_at_local: datetime = strawberry.field(
        description="The end in the viewer's time zone (ISO 8601 with offset).")
    join_opens_at: datetime = strawberry.field(
        description="When joining opens: JOIN_WINDOW_MINUTES before the start (UTC).")
    can_join: bool = strawberry.field(
        description="True from joinOpensAt until the end while SCHEDULED: show the join button.")
    # The three relations are plain fields holding the object (built once per request for all
    # the sessions that share it) or, when it is not in hand, a shared awaitable that loads it:
    # a field with a resolver costs GraphQL execution several times a plain one, and a list
    # of sessions has two or three of them per session (BENCHMARKS.md, the hub).
    engagement: Engagement = strawberry.field(
        description="The client's engagement with the service this session belongs to.")
    service: Service = strawberry.field(
        description="The service booked; its current title and terms (the price paid is `price`).")
    professional: ProfessionalProfile = strawberry.field(
        description="The professional who gives the session.")
    _model: strawberry.Private[m.Session]

    @classmethod
    def of(cls, session: m.Session, viewpoint: Viewpoint, loaders: Loaders) -> Self:
        """The viewer-dependent fields and the relations are computed here rather than by
        resolvers: a plain field costs GraphQL execution a fraction of a resolved one
        (BENCHMARKS.md)."""
        relations = _relations(session, viewpoint, loaders)
        return cls(
            session_id=str(session.id), id=global_id("Session", session.id),
            status=session.status,
            starts_at=session.starts_at, ends_at=session.ends_at,
            length_minutes=session.length_minutes,
            price=Money(amount=session.price_amount, currency=session.currency),
            vat_rate_basis_points=session.vat_rate_basis_points,
            cancelled_at=session.cancelled_at, created_at=session.created_at,
            starts_at_local=session.starts_at.astimezone(viewpoint.zone),
            ends_at_local=session.ends_at.astimezone(viewpoint.zone),
            join_opens_at=viewpoint.join_opens_at(session),
            can_join=viewpoint.can_join(session), engagement=relations.engagement,
            service=relations.service, professional=relations.professional, _model=session,
        )

    @classmethod
    def list_of(cls, found: Iterable[m.Session], viewpoint: Viewpoint, loaders: Loaders
                ) -> list[Session]:
        return [cls.of(session, viewpoint, loaders) for session in found]

    @classmethod
    def seen_by(cls, info: Info) -> Callable[[m.Session], Session]:
        """`of` for the caller of this request, for `Connection.of`."""
        viewpoint, loaders = info.context.viewpoint, info.context.loaders
        return lambda session: cls.of(session, viewpoint, loaders)

    @strawberry.field(description="The client's name and email, as the professional sees them.")
    async def client(self, info: Info) -> ClientContact:
        return ClientContact.of(await info.context.loaders.client_of(self._model))

    @strawberry.field(description="The series it was booked in, if any.")
    async def series(self, info: Info) -> SessionSeries | None:
        if self._model.series_id is None:
            return None
        series = await info.context.loaders.series.load(self._model.series_id)
        return SessionSeries.of(series) if series else None

    @strawberry.field(description="Every change, oldest first: booked, moved, cancelled...")
    async def history(self, info: Info) -> list[SessionChange]:
        changes = await info.context.loaders.session_changes.load(self._model.id)
        return [SessionChange(
            from_status=c.from_status, to_status=c.to_status,
            starts_at=c.starts_at, ends_at=c.ends_at,
            changed_by=self._side(c.changed_by_id),
            reason_code=m.ChangeReason(c.reason_code) if c.reason_code else None, at=c.at,
        ) for c in changes]

    @strawberry.field(description="Which side cancelled, once cancelled.")
    def cancelled_by(self) -> EngagementSide | None:
        return self._side(self._model.cancelled_by_id)

    @strawberry.field(description="Why it was cancelled; only its client and professional see "
                                  "it, and it is never emailed.")
    def cancellation_reason(self, info: Info) -> str | None:
        caller = info.context.caller
        return session_changes.cancellation_reason(caller.settings, caller.account, self._model)

    @strawberry.field(description="An \"Add to calendar\" link: a download of this session as "
                                  "an iCalendar (.ics) file, as the viewer's calendar shows it. "
                                  "It opens without a bearer token, for the viewer only, and "
                                  "expires after CALENDAR_FILE_MINUTES (15 by default): fetch "
                                  "it when the person asks, not ahead. Null for anyone but the "
                                  "session's client and professional.")
    def calendar_file_url(self, info: Info) -> str | None:
        caller = info.context.caller
        return session_calendar_files.calendar_file_url(caller.settings, self._model,
                                                        caller.account)

    @strawberry.field(description="Whether the viewer may cancel it now (cancelSession).")
    def can_cancel(self, info: Info) -> bool:
        return session_changes.can_cancel(info.context.caller.account, self._model,
                                          datetime.now(UTC))

    @strawberry.field(description="From this moment a client's cancellation is LATE_CANCELLED "
                                  "(the service's cancellation window when the session was "
                                  "booked, before the start; a later change of the service's "
                                  "policy does not move it).")
    def late_cancellation_from(self) -> datetime:
        return self._model.starts_at - timedelta(hours=self._model.cancellation_window_hours)

    @strawberry.field(description="Who is in its call (the waiting room, and attendance for "
                                  "a no-show decision): the client first, then the "
                                  "professional, whether or not they joined. hubUpdates sends "
                                  "PARTICIPANT_JOINED / PARTICIPANT_LEFT when it changes.")
    async def attendance(self, info: Info) -> list[CallParticipant]:
        loaders = info.context.loaders
        rows = {row.account_id: row
                for row in await loaders.call_participants.load(self._model.id)}
        client = await loaders.client_of(self._model)
        profile = await loaders.session_profile(self._model)
        return [CallParticipant.of(live.ParticipantState.of(role, account_id, name,
                                                            rows.get(account_id)))
                for role, account_id, name in (
                    (ParticipantRole.CLIENT, self._model.client_id, client.name),
                    (ParticipantRole.PROFESSIONAL, self._model.professional_id,
                     profile.display_name))]

    def _side(self, account_id: object) -> EngagementSide | None:
        if account_id is None:
            return None
        if account_id == self._model.professional_id:
            return practice_models.EngagementSide.PROFESSIONAL
        return practice_models.EngagementSide.CLIENT

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the session's client and professional see it."""
        viewpoint, loaders = info.context.viewpoint, info.context.loaders
        return await visible_nodes(
            node_ids, lambda ids: session_access.visible_sessions(info.context.caller.account, ids),
            lambda session: cls.of(session, viewpoint, loaders))


@strawberry.type(description="Sessions booked together, e.g. weekly, 10 sessions.")
class SessionSeries(relay.Node):
    series_id: relay.NodeID[str]
    every_weeks: int = strawberry.field(description="1 weekly, 2 every other week.")
    count: int | None = strawberry.field(description="How many were asked for, if by count.")
    until: date | None = strawberry.field(description="The last date asked for, if by date.")
    created_at: datetime = strawberry.field(description="When the series was booked (UTC).")
    _model: strawberry.Private[m.SessionSeries]

    @classmethod
    def of(cls, series: m.SessionSeries) -> Self:
        return cls(series_id=str(series.id), every_weeks=series.every_weeks,
                   count=series.count, until=series.until, created_at=series.created_at,
                   _model=series)

    @strawberry.field(description="Its sessions, earliest first, whatever their status (a "
                                  "date that could not be booked has none).")
    async def sessions(self, info: Info) -> list[Session]:
        found = await session_access.sessions_of_series(self._model)
        return Session.list_of(await info.context.loaders.attach(found),
                               info.context.viewpoint, info.context.loaders)

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the client and the professional of the series' engagement see it."""
        return await visible_nodes(
            node_ids, lambda ids: session_access.visible_series(info.context.caller.account, ids),
            cls.of)
