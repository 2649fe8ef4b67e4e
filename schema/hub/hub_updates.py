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
from schema.payments.payment_types import Payment
from schema.practice.engagement_types import Engagement
from schema.practice.invitation_types import Invitation
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
    hub_updates.HubEventKind.REQUEST_APPROVED:
        "A request to a service was approved (status ACTIVE): engagement carries it.",
    hub_updates.HubEventKind.REQUEST_DECLINED:
        "A request to a service was declined (status DECLINED, with declineReason): engagement "
        "carries it.",
    hub_updates.HubEventKind.INVITATION_ACCEPTED:
        "An invitation was accepted: engagement is the new client's engagement, and the "
        "professional who sent it also gets the invitation (status ACCEPTED).",
    hub_updates.HubEventKind.ENGAGEMENT_ENDED:
        "An engagement (or a pending request) was ended by either side (status ENDED); its "
        "sessions not yet started are cancelled with it, each with its own SESSION_CANCELLED.",
    hub_updates.HubEventKind.PAYMENT_PAID:
        "A payment was paid (status PAID, with its receipt number): payment carries it.",
    hub_updates.HubEventKind.PAYMENT_FAILED:
        "A payment failed or was cancelled (status FAILED, with failureCode and "
        "failureMessage): payment carries it.",
    hub_updates.HubEventKind.PAYMENT_REFUNDED:
        "Money of a payment was given back, in part or in full (refunded grows; status "
        "REFUNDED once all of it is): payment carries it.",
}, name="HubEventKind",
    description="What changed: session kinds carry the session, request, invitation and "
                "engagement kinds the engagement, payment kinds the payment, each as it is now; "
                "LISTENING carries nothing.",
)
HubEventKind = hub_updates.HubEventKind


@strawberry.type(description="Something changed about one of your sessions, engagements or "
                             "payments.")
class HubEvent:
    kind: HubEventKind = strawberry.field(
        description="What changed; patch the object it carries into the screen (no refetch "
                    "needed).")
    session: Session | None = strawberry.field(
        description="The session as it is now, for the SESSION_* and PARTICIPANT_* kinds; "
                    "null for the others."
    )
    engagement: Engagement | None = strawberry.field(
        description="The engagement as it is now, for REQUEST_APPROVED, REQUEST_DECLINED, "
                    "INVITATION_ACCEPTED and ENGAGEMENT_ENDED; null for the others.")
    invitation: Invitation | None = strawberry.field(
        description="For INVITATION_ACCEPTED, the invitation as its professional sees it; "
                    "null for the client and for every other kind.")
    payment: Payment | None = strawberry.field(
        description="The payment as it is now, for PAYMENT_PAID, PAYMENT_FAILED and "
                    "PAYMENT_REFUNDED; null for the others.")


@strawberry.type
class HubSubscriptions:
    @strawberry.subscription(description="Updates for the signed-in person's sessions, "
                                         "engagements and payments (as client or "
                                         "professional) until unsubscribed.")
    async def hub_updates(self, info: Info) -> AsyncGenerator[HubEvent, None]:
        async for update in hub_updates.hub_updates(info.context.caller):
            # One context serves the whole websocket: fresh loaders for every event, so
            # nothing cached for an earlier event is shown as current.
            loaders = info.context.loaders = Loaders()
            viewpoint = Viewpoint.of(info.context.caller)
            yield HubEvent(
                kind=update.kind,
                session=Session.of(update.session, viewpoint, loaders) if update.session
                else None,
                engagement=Engagement.of(update.engagement, viewpoint, loaders)
                if update.engagement else None,
                invitation=Invitation.of(update.invitation) if update.invitation else None,
                payment=Payment.of(update.payment) if update.payment else None,
            )
