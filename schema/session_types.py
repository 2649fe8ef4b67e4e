"""Sessions in the API: one appointment of a client with a professional."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self
from zoneinfo import ZoneInfo

import strawberry
from strawberry import relay

from models import scheduling as m
from resolvers import hub
from resolvers.session_access import visible_sessions
from schema.context import Info, viewer_time_zone
from schema.engagement_types import ClientContact, Engagement
from schema.practice_types import Money, ProfessionalProfile, Service, node_uuids

SessionStatus = strawberry.enum(
    m.SessionStatus, name="SessionStatus",
    description="SCHEDULED is coming up; COMPLETED and NO_SHOW happened (or not); CANCELLED and "
                "LATE_CANCELLED (by the client inside the cancellation window) free the time.",
)


@strawberry.type(description="One appointment of a client with a professional.")
class Session(relay.Node):
    session_id: relay.NodeID[str]
    status: SessionStatus
    starts_at: datetime = strawberry.field(description="UTC.")
    ends_at: datetime = strawberry.field(description="UTC.")
    length_minutes: int
    price: Money = strawberry.field(description="The service's price when it was booked.")
    vat_rate_basis_points: int
    cancelled_at: datetime | None
    created_at: datetime
    _model: strawberry.Private[m.Session]

    @classmethod
    def of(cls, session: m.Session) -> Self:
        return cls(
            session_id=str(session.id), status=session.status,
            starts_at=session.starts_at, ends_at=session.ends_at,
            length_minutes=session.length_minutes,
            price=Money(amount=session.price_amount, currency=session.currency),
            vat_rate_basis_points=session.vat_rate_basis_points,
            cancelled_at=session.cancelled_at, created_at=session.created_at, _model=session,
        )

    @classmethod
    def list_of(cls, found: Iterable[m.Session]) -> list[Session]:
        return [cls.of(session) for session in found]

    @strawberry.field
    async def engagement(self, info: Info) -> Engagement:
        return Engagement.of(await info.context.loaders.engagement_of(self._model))

    @strawberry.field
    async def service(self, info: Info) -> Service:
        return Service.of(await info.context.loaders.session_service(self._model))

    @strawberry.field
    async def professional(self, info: Info) -> ProfessionalProfile:
        return ProfessionalProfile.of(await info.context.loaders.session_profile(self._model))

    @strawberry.field
    async def client(self, info: Info) -> ClientContact:
        return ClientContact.of(await info.context.loaders.client_of(self._model))

    @strawberry.field(description="The start in the viewer's time zone (ISO 8601 with offset).")
    def starts_at_local(self, info: Info) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(viewer_time_zone(info)))

    @strawberry.field(description="The end in the viewer's time zone (ISO 8601 with offset).")
    def ends_at_local(self, info: Info) -> datetime:
        return self.ends_at.astimezone(ZoneInfo(viewer_time_zone(info)))

    @strawberry.field(description="When joining opens: JOIN_WINDOW_MINUTES before the start "
                                  "(UTC).")
    def join_opens_at(self, info: Info) -> datetime:
        return hub.join_opens_at(info.context.caller, self._model)

    @strawberry.field(description="True from joinOpensAt until the end while SCHEDULED: show "
                                  "the join button.")
    def can_join(self, info: Info) -> bool:
        return hub.can_join(info.context.caller, self._model)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],
                            required: bool = False) -> list[Self | None]:
        """Only the session's client and professional see it."""
        ids = node_uuids(node_ids)
        found = await visible_sessions(info.context.caller.account, [i for i in ids if i])
        return [cls.of(found[i]) if i in found else None for i in ids]
