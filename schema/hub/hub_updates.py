"""The `hubUpdates` subscription (graphql-transport-ws): an open hub hears about its sessions.

Browsers cannot set headers on a websocket, so the bearer token travels in the
`connection_init` payload (`{"authorization": "Bearer <token>"}`), read by app.py.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from resolvers.hub import hub_updates
from schema.core.context import Info
from schema.core.loaders import Loaders
from schema.core.viewpoint import Viewpoint
from schema.scheduling.session_types import Session

# strawberry.enum marks the enum class itself; the alias after it is a type to mypy.
strawberry.enum(
    hub_updates.HubEventKind, name="HubEventKind",
    description="LISTENING comes first, once: refetch the hub then. SESSION_STARTING comes when "
                "a session's join window opens (JOIN_WINDOW_MINUTES before its start). "
                "PARTICIPANT_JOINED / PARTICIPANT_LEFT: someone joined or left its call (the "
                "waiting room: read Session.attendance). The others follow bookings, moves, "
                "cancellations, completions and no-shows.",
)
HubEventKind = hub_updates.HubEventKind


@strawberry.type(description="Something changed about one of your sessions.")
class HubEvent:
    kind: HubEventKind = strawberry.field(
        description="What changed; refetch or patch the session accordingly.")
    session: Session | None = strawberry.field(
        description="The session as it is now; null only for LISTENING."
    )


@strawberry.type
class HubSubscriptions:
    @strawberry.subscription(description="Updates for the signed-in person's sessions (as "
                                         "client or professional) until unsubscribed.")
    async def hub_updates(self, info: Info) -> AsyncGenerator[HubEvent, None]:
        async for update in hub_updates.hub_updates(info.context.caller):
            # One context serves the whole websocket: fresh loaders for every event, so
            # nothing cached for an earlier event is shown as current.
            info.context.loaders = Loaders()
            yield HubEvent(kind=update.kind,
                           session=Session.of(update.session, Viewpoint.of(info.context.caller))
                           if update.session else None)
