"""The practice's clients and agenda in the API: fields of `practice` for practitioner mode."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from resolvers.practice import practice_clients as clients
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.practice.engagement_types import Engagement

described_enum(clients.ClientOrder, {
    clients.ClientOrder.NAME: "By name, A to Z.",
    clients.ClientOrder.NEXT_SESSION: "Soonest next session first; clients with none booked last.",
    clients.ClientOrder.LAST_SESSION: "Most recently seen first; clients never seen last.",
}, name="ClientOrder", description="How practice.clients sorts; equal dates go by name.")
ClientOrder = clients.ClientOrder


@strawberry.type(description="One client of the practice, with when they were last and will "
                             "next be seen.")
class PracticeClient:
    id: strawberry.ID = strawberry.field(
        description="The client's id; open their profile with clientProfile(id:)."
    )
    name: str = strawberry.field(description="The name the client gave when registering.")
    email: str = strawberry.field(
        description="The client's sign-in address; emails to them go here.")
    next_session_at: datetime | None = strawberry.field(
        description="Start of the next booked session that has not ended."
    )
    last_session_at: datetime | None = strawberry.field(
        description="Start of the latest attended session."
    )
    sessions_attended: int = strawberry.field(
        description="Completed sessions with this practice, across all its services."
    )
    _engagements: strawberry.Private[list]

    @classmethod
    def of(cls, client: clients.PracticeClient) -> Self:
        return cls(
            id=strawberry.ID(relay.to_base64("ClientProfile", client.account.id)),
            name=client.account.name, email=client.account.email,
            next_session_at=client.next_session_at, last_session_at=client.last_session_at,
            sessions_attended=client.sessions_attended, _engagements=client.engagements,
        )

    @strawberry.field(description="Their engagements with this practice's services, oldest "
                                  "first.")
    def engagements(self, info: Info) -> list[Engagement]:
        return list(map(Engagement.seen_by(info), self._engagements))
