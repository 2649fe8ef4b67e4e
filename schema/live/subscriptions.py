"""The `signals` subscription (graphql-transport-ws); sign in through `connection_init`."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers import live
from schema.core.context import Info
from schema.core.ids import node_uuid
from schema.live.types import SignalEvent


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription(description="The peer's sealed signals and presence in a session's "
                                         "call, for its two participants only; ends after "
                                         "SESSION_ENDED.")
    async def signals(
        self, info: Info,
        session_id: Annotated[strawberry.ID, strawberry.argument(
            description="The Session's global id; the stream refuses sessions you are not a "
                        "participant of, and ones not open for joining.")],
    ) -> AsyncGenerator[SignalEvent, None]:
        async for update in live.signal_updates(info.context.caller,
                                                node_uuid(session_id, "Session")):
            yield SignalEvent.of(update)
