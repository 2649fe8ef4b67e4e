"""Telling both participants' hubs that a session changed (GraphQL subscriptions).

Call inside the transaction of the change: on PostgreSQL the event is delivered only if it
commits. Events carry the kind and the session id only; listeners load what they may show.
"""

from __future__ import annotations

from typing import Literal

from models.scheduling import Session
from resolvers.core.caller import Caller

SessionEventKind = Literal["session_booked", "session_rescheduled", "session_cancelled",
                           "session_completed", "session_no_show"]


async def announce(caller: Caller, session: Session, kind: SessionEventKind) -> None:
    for account_id in (session.client_id, session.professional_id):
        await caller.events.publish(f"account:{account_id}",
                                    {"kind": kind, "sessionId": str(session.id)})
