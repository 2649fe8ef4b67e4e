"""The practice's clients and agenda in the API: fields of `practice` for practitioner mode."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from resolvers.practice import practice_clients as clients
from schema.practice.engagement_types import Engagement

# strawberry.enum marks the enum class itself; the alias after it is a type to mypy.
strawberry.enum(
    clients.ClientOrder, name="ClientOrder",
    description="NAME (A to Z), NEXT_SESSION (soonest first, none booked last) or "
                "LAST_SESSION (most recently seen first, never seen last).",
)
ClientOrder = clients.ClientOrder


@strawberry.type(description="One client of the practice, with when they were last and will "
                             "next be seen.")
class PracticeClient:
    id: strawberry.ID = strawberry.field(
        description="The client's id; open their profile with clientProfile(id:)."
    )
    name: str
    email: str
    next_session_at: datetime | None = strawberry.field(
        description="Start of the next booked session that has not ended."
    )
    last_session_at: datetime | None = strawberry.field(
        description="Start of the latest attended session."
    )
    sessions_attended: int
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
    def engagements(self) -> list[Engagement]:
        return Engagement.list_of(self._engagements)
