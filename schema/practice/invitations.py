"""Mutations on invitations: invite, withdraw, re-send, and accept (with or without an account)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.practice import invitation_acceptance, invitations
from schema.accounts.accounts import Viewer
from schema.accounts.consents import ACCEPTED_PRIVACY_NOTICE, ACCEPTED_TERMS, accepted_versions
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.ids import node_uuid
from schema.practice.engagement_types import Engagement
from schema.practice.engagements import RegistrationDetailsInput, no_details
from schema.practice.invitation_types import Invitation


@strawberry.input(description="Whom to invite to which service; they get an email with a link.")
class InviteClientInput:
    service_id: strawberry.ID = strawberry.field(
        description="The Service's global id; it must be yours and not archived.")
    email: str = strawberry.field(
        description="Where the invitation goes; only this address can accept it.")
    name: str = strawberry.field(description="How to greet them; a new account starts with it.")
    message: str = strawberry.field(default="", description="A personal note in the email.")
    locale: str | None = strawberry.field(
        default=None, description="Language of the email (en, is); default: yours. Someone "
                                  "who already has an account gets it in their own language."
    )


@strawberry.input(description="Which invitation to withdraw; its link stops working.")
class RevokeInvitationInput:
    invitation_id: strawberry.ID = strawberry.field(
        description="The Invitation's global id; it must be PENDING.")


@strawberry.input(description="Which invitation to send again.")
class ResendInvitationInput:
    invitation_id: strawberry.ID = strawberry.field(
        description="The Invitation's global id; it must be PENDING. Resending extends its "
                    "expiry.")


@strawberry.input(description="For a person without an account: the email is the invited one.")
class NewAccountInput:
    password: str = strawberry.field(description="At least 10 characters.")
    time_zone: str = strawberry.field(description="IANA zone, e.g. Atlantic/Reykjavik.")
    accepted_terms: str = strawberry.field(description=ACCEPTED_TERMS)
    accepted_privacy_notice: str = strawberry.field(description=ACCEPTED_PRIVACY_NOTICE)
    name: str | None = strawberry.field(
        default=None, description="Default: the name on the invitation."
    )
    locale: str = strawberry.field(
        default="en",
        description="Language of the new account's emails: en or is.")


@strawberry.input(
    description="The invitation link's token, the details the service requires, and a new account "
                "when the person has none.")
class AcceptInvitationInput:
    token: str = strawberry.field(description="From the link in the invitation email.")
    details: RegistrationDetailsInput = strawberry.field(
        default_factory=no_details,
        description="What the service requires (see InvitationPreview.service.requiredDetails).")
    new_account: NewAccountInput | None = strawberry.field(
        default=None, description="When signed out: create the account. When signed in: "
                                  "leave out, and the invitation joins your account."
    )


@strawberry.type(description="The result of a mutation on an invitation.")
class InvitationPayload(Payload):
    invitation: Invitation | None = strawberry.field(
        default=None,
        description="The invitation after the change; null when userErrors is not empty.")


@strawberry.type(description="The new engagement; when an account was created, also a session.")
class AcceptInvitationPayload(Payload):
    engagement: Engagement | None = strawberry.field(
        default=None,
        description="The new ACTIVE engagement.")
    token: str | None = strawberry.field(
        default=None, description="Set when a new account was created: send it as "
                                  "`Authorization: Bearer`."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the new sign-in token expires (UTC); null without one.")
    viewer: Viewer | None = strawberry.field(
        default=None,
        description="The new account; null when the person was already signed in.")
    device_token: str | None = strawberry.field(
        default=None, description="Set with `token`: keep it and pass it to `login` "
                                  "(see LoginPayload.deviceToken)."
    )


@strawberry.type
class InvitationMutations:
    @strawberry.mutation(description="Invite a person by email to one of your services.")
    @user_errors_as(InvitationPayload)
    async def invite_client(self, info: Info, input: MutationInput[InviteClientInput]
                            ) -> InvitationPayload:
        invitation = await invitations.invite_client(
            info.context.caller, node_uuid(input.service_id, "Service"), email=input.email,
            name=input.name, message=input.message, locale=input.locale,
        )
        return InvitationPayload(invitation=Invitation.of(invitation))

    @strawberry.mutation(description="Withdraw an invitation; its link stops working.")
    @user_errors_as(InvitationPayload)
    async def revoke_invitation(self, info: Info, input: MutationInput[RevokeInvitationInput]
                                ) -> InvitationPayload:
        invitation = await invitations.revoke_invitation(
            info.context.caller, node_uuid(input.invitation_id, "Invitation")
        )
        return InvitationPayload(invitation=Invitation.of(invitation))

    @strawberry.mutation(description="Email a fresh link with a new expiry; the old link stops "
                                     "working.")
    @user_errors_as(InvitationPayload)
    async def resend_invitation(self, info: Info, input: MutationInput[ResendInvitationInput]
                                ) -> InvitationPayload:
        invitation = await invitations.resend_invitation(
            info.context.caller, node_uuid(input.invitation_id, "Invitation")
        )
        return InvitationPayload(invitation=Invitation.of(invitation))

    @strawberry.mutation(description="Accept an invitation: creates the account (signed out) or "
                                     "joins the signed-in one; the engagement starts active.")
    @user_errors_as(AcceptInvitationPayload)
    async def accept_invitation(self, info: Info, input: MutationInput[AcceptInvitationInput]
                                ) -> AcceptInvitationPayload:
        new_account = input.new_account
        accepted = await invitation_acceptance.accept_invitation(
            info.context.caller, token=input.token, details=input.details.given(),
            new_account=invitation_acceptance.NewAccountInput(
                password=new_account.password, time_zone=new_account.time_zone,
                accepted=accepted_versions(new_account.accepted_terms,
                                           new_account.accepted_privacy_notice),
                name=new_account.name, locale=new_account.locale,
            ) if new_account else None,
        )
        signed_in = accepted.signed_in
        account = signed_in.account if signed_in else info.context.caller.require_account()
        return AcceptInvitationPayload(
            engagement=Engagement.seen_by(info)(accepted.engagement),
            token=signed_in.token if signed_in else None,
            expires_at=signed_in.expires_at if signed_in else None,
            device_token=signed_in.device_token if signed_in else None,
            viewer=Viewer.from_account(account),
        )
