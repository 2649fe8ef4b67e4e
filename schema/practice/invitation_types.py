"""Invitations in the API: the professional's view, and what the link shows before accepting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from models import practice as m
from resolvers.practice import invitation_acceptance, invitations
from schema.core.context import Info
from schema.core.ids import visible_nodes
from schema.practice.practice_types import InvitationStatus, PublicService, Service


@strawberry.type(description="An invitation as the professional who sent it sees it.")
class Invitation(relay.Node):
    invitation_id: relay.NodeID[str]
    email: str = strawberry.field(
        description="The address the invitation was sent to; only that person can accept it.")
    name: str = strawberry.field(
        description="How the professional greeted them; a new account starts with it.")
    message: str = strawberry.field(description="The personal note in the email; may be empty.")
    locale: str = strawberry.field(description="Language of the email.")
    status: InvitationStatus = strawberry.field(
        description="Whether it can still be accepted (PENDING) or why not.")
    expires_at: datetime = strawberry.field(
        description="After this (UTC) the link no longer works; resending extends it.")
    last_sent_at: datetime = strawberry.field(description="When the email was last sent (UTC).")
    send_count: int = strawberry.field(
        description="How many times the email was sent, the first included.")
    accepted_at: datetime | None = strawberry.field(
        description="When it was accepted (UTC); null unless ACCEPTED.")
    revoked_at: datetime | None = strawberry.field(
        description="When the professional withdrew it (UTC); null unless REVOKED.")
    created_at: datetime = strawberry.field(description="When it was first sent (UTC).")
    _model: strawberry.Private[m.Invitation]

    @classmethod
    def of(cls, invitation: m.Invitation) -> Self:
        return cls(
            invitation_id=str(invitation.id), email=invitation.email, name=invitation.name,
            message=invitation.message, locale=invitation.locale,
            status=invitations.status_of(invitation), expires_at=invitation.expires_at,
            last_sent_at=invitation.last_sent_at, send_count=invitation.send_count,
            accepted_at=invitation.accepted_at, revoked_at=invitation.revoked_at,
            created_at=invitation.created_at, _model=invitation,
        )

    @strawberry.field(description="The service the person is invited to.")
    async def service(self) -> Service:
        return Service.of(await self._model.service)

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the professional who owns the service sees its invitations."""
        viewer = info.context.caller.account
        return await visible_nodes(
            node_ids, lambda ids: invitations.owned_invitations(viewer, ids), cls.of)


@strawberry.type(description="What an invitation link shows before it is accepted.")
class InvitationPreview:
    status: InvitationStatus = strawberry.field(
        description="Only PENDING can be accepted; otherwise show why not.")
    email: str = strawberry.field(description="The invited address; a new account gets it.")
    name: str = strawberry.field(description="How the professional greets the invited person.")
    message: str = strawberry.field(description="The professional's personal note; may be empty.")
    expires_at: datetime = strawberry.field(
        description="After this (UTC) the link no longer works.")
    email_has_account: bool = strawberry.field(
        description="True when the address has an account: offer to sign in first."
    )
    service: PublicService = strawberry.field(
        description="The service, as its public request link shows it.")

    @classmethod
    def of(cls, preview: invitation_acceptance.Preview) -> Self:
        invitation = preview.invitation
        service = invitation.service
        return cls(
            status=invitations.status_of(invitation), email=invitation.email,
            name=invitation.name, message=invitation.message,
            expires_at=invitation.expires_at, email_has_account=preview.email_has_account,
            service=PublicService.of(service, service.professional),
        )
