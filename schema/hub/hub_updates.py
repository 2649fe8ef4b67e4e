"""The `hubUpdates` subscription (graphql-transport-ws): an open hub hears about its sessions.

Browsers cannot set headers on a websocket, so the bearer token travels in the
`connection_init` payload (`{"authorization": "Bearer <token>"}`), read by app.py.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from resolvers.hub import hub_updates
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.loaders import Loaders
from schema.core.viewpoint import Viewpoint
from schema.scheduling.session_types import Session

described_enum(hub_updates.HubEventKind, {
    hub_updates.HubEventKind.LISTENING:
        "Sent once, first: the stream is listening, so refetch the hub now and nothing that "
        "happens from here on is missed. session is null.",
    hub_updates.HubEventKind.SESSION_BOOKED:
        "A session was booked for you (by you or the other side).",
    hub_updates.HubEventKind.SESSION_RESCHEDULED:
        "A session moved: startsAt and endsAt are the new times.",
    hub_updates.HubEventKind.SESSION_CANCELLED:
        "A session was cancelled (status CANCELLED or LATE_CANCELLED).",
    hub_updates.HubEventKind.SESSION_COMPLETED: "A session was closed as held (status COMPLETED).",
    hub_updates.HubEventKind.SESSION_NO_SHOW:
        "A session was closed because the client did not come.",
    hub_updates.HubEventKind.SESSION_STARTING:
        "A session's join window opened (JOIN_WINDOW_MINUTES before its start): show its join "
        "button.",
    hub_updates.HubEventKind.PARTICIPANT_JOINED:
        "Someone joined the session's call: the waiting room can read Session.attendance.",
    hub_updates.HubEventKind.PARTICIPANT_LEFT: "Someone left the session's call.",
}, name="HubEventKind",
    description="What changed about one of your sessions; every kind but LISTENING carries the "
                "session as it is now.",
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
                           session=Session.of(update.session, Viewpoint.of(info.context.caller),
                                              info.context.loaders)
                           if update.session else None)
