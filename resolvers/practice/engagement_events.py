"""Telling both sides' hubs that an engagement changed: a request answered, an invitation
accepted, an engagement ended (resolvers/core/account_events.py). Call inside the transaction
of the change."""

from __future__ import annotations

from typing import Literal

from models.practice import Engagement
from resolvers.core import account_events
from resolvers.core.caller import Caller

EngagementEventKind = Literal["request_approved", "request_declined", "invitation_accepted",
                              "engagement_ended"]


async def announce(caller: Caller, engagement: Engagement, kind: EngagementEventKind) -> None:
    """`engagement` with its service's professional loaded (as `engagements.RELATED` does)."""
    ids = {"engagementId": engagement.id}
    if kind == "invitation_accepted" and engagement.invitation_id is not None:
        ids["invitationId"] = engagement.invitation_id
    await account_events.announce(
        caller.events, (engagement.client_id, engagement.service.professional.account_id),
        kind, **ids)
