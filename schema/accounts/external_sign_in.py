"""Sign-in with a national eID over OpenID Connect (resolvers/accounts/external_identities*.py,
docs/eid.md): the providers to show, starting and completing a sign-in, registering with an
eID, linking and unlinking one."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.accounts import external_identities, external_identities_links, signin
from schema.accounts.accounts import AuthPayload, RegisterPayload, Viewer
from schema.accounts.consents import ACCEPTED_PRIVACY_NOTICE, ACCEPTED_TERMS, accepted_versions
from schema.accounts.reauthentication import IdentityInput
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as


@strawberry.type(description="An eID provider people may sign in with (island.is, ...).")
class ExternalSignInProvider:
    id: str = strawberry.field(description="Pass as `provider` to startExternalSignIn.")
    name: str = strawberry.field(description="What the sign-in button says.")


@strawberry.type(description="Whether eID sign-in is on, and with which providers.")
class ExternalSignInProviders:
    enabled: bool = strawberry.field(
        description="False when the server has no provider configured: show no eID button.")
    providers: list[ExternalSignInProvider] = strawberry.field(
        description="The providers, in the server's order; empty when `enabled` is false.")
    redirect_uris: list[str] = strawberry.field(
        description="The SPA pages a provider may send the browser back to; pass one as "
                    "`redirectUri`.")


@strawberry.type(description="An eID linked to the signed-in account (its national identifier "
                             "is never shown).")
class LinkedExternalIdentity:
    provider: str = strawberry.field(description="The provider's id (ExternalSignInProvider.id).")
    provider_name: str = strawberry.field(description="The provider's display name.")
    linked_at: datetime = strawberry.field(description="When it was linked (UTC).")
    last_used_at: datetime | None = strawberry.field(
        description="The last sign-in with it (UTC); null when never used to sign in.")

    @classmethod
    def of(cls, linked: external_identities_links.LinkedIdentity) -> LinkedExternalIdentity:
        return cls(provider=linked.provider_id, provider_name=linked.provider_name,
                   linked_at=linked.linked_at, last_used_at=linked.last_used_at)


@strawberry.input(description="Which provider, and the SPA page it should send the browser "
                              "back to.")
class StartExternalSignInInput:
    provider: str = strawberry.field(description="An ExternalSignInProvider.id.")
    redirect_uri: str = strawberry.field(
        description="One of `externalSignInProviders.redirectUris`, exactly; any other is "
                    "refused (field `redirectUri`).")


@strawberry.type(description="Send the browser to `authorizationUrl`.")
class StartExternalSignInPayload(Payload):
    authorization_url: str | None = strawberry.field(
        default=None,
        description="The provider's sign-in page for this attempt; null when userErrors is not "
                    "empty (PROVIDER_UNAVAILABLE when the provider does not answer).")


@strawberry.input(description="What the provider put in the query of `redirectUri` when it "
                              "sent the browser back.")
class CompleteExternalSignInInput:
    state: str = strawberry.field(
        description="The `state` parameter; it works once, for a few minutes, and only for "
                    "the attempt it was made for.")
    code: str | None = strawberry.field(
        default=None, description="The `code` parameter; absent when the person cancelled.")
    error: str | None = strawberry.field(
        default=None,
        description="The `error` parameter when the provider sent one (access_denied when the "
                    "person refused): the attempt is closed with EXTERNAL_SIGN_IN_FAILED.")


@strawberry.type(description="Like `login`: a token, or what is still missing. An eID no "
                             "account has yet gives `registration`: ask for an email and call "
                             "registerWithExternalIdentity.")
class CompleteExternalSignInPayload(AuthPayload):
    registration: str | None = strawberry.field(
        default=None,
        description="Set when no account has this eID: pass it to "
                    "registerWithExternalIdentity with an email. Valid for an hour, once.")
    registration_name: str | None = strawberry.field(
        default=None, description="The name the provider gave, to show on the registration "
                                  "form; the account takes it.")
    registration_expires_at: datetime | None = strawberry.field(
        default=None, description="When `registration` stops working (UTC).")


@strawberry.input(description="The email an eID registration still needs.")
class RegisterWithExternalIdentityInput:
    registration: str = strawberry.field(
        description="CompleteExternalSignInPayload.registration.")
    email: str = strawberry.field(
        description="The address for emails; a confirmation link goes there, and the account "
                    "signs in with the eID once it is opened.")
    time_zone: str = strawberry.field(description="IANA zone, e.g. Atlantic/Reykjavik.")
    accepted_terms: str = strawberry.field(description=ACCEPTED_TERMS)
    accepted_privacy_notice: str = strawberry.field(description=ACCEPTED_PRIVACY_NOTICE)
    locale: str = strawberry.field(default="en",
                                   description="Language of emails: en or is.")


@strawberry.input(description="Link the eID of a completed provider round trip to the "
                              "signed-in account.")
class LinkExternalIdentityInput:
    state: str = strawberry.field(
        description="The `state` the provider sent back; the attempt must have been started "
                    "by this account (startExternalSignIn while signed in).")
    code: str | None = strawberry.field(default=None,
                                        description="The `code` the provider sent back.")
    error: str | None = strawberry.field(
        default=None, description="The `error` the provider sent back, if any.")
    identity: IdentityInput = strawberry.field(
        description="The account's password again (and code when two-step sign-in is on).")


@strawberry.type(description="The eID now linked; sign in with it from now on.")
class LinkExternalIdentityPayload(Payload):
    external_identity: LinkedExternalIdentity | None = strawberry.field(
        default=None, description="The link; null when userErrors is not empty.")


@strawberry.input(description="Which provider's eID to unlink from the signed-in account.")
class UnlinkExternalIdentityInput:
    provider: str = strawberry.field(description="LinkedExternalIdentity.provider.")


@strawberry.type(description="The eID no longer signs in to this account.")
class UnlinkExternalIdentityPayload(Payload):
    unlinked: bool = strawberry.field(
        default=False, description="True once it is unlinked; refused (NOT_ALLOWED) when it is "
                                   "the account's only way to sign in.")


@strawberry.type
class ExternalSignInQueries:
    @strawberry.field(description="The eID sign-in buttons to show; works signed out.")
    def external_sign_in_providers(self, info: Info) -> ExternalSignInProviders:
        settings = info.context.caller.settings
        return ExternalSignInProviders(
            enabled=settings.external_sign_in_enabled,
            providers=[ExternalSignInProvider(id=p.id, name=p.name)
                       for p in external_identities.providers(info.context.caller)],
            redirect_uris=list(settings.oidc_redirect_uris) if settings.oidc_providers else [],
        )

    @strawberry.field(description="The eIDs linked to the signed-in account.")
    async def linked_external_identities(self, info: Info) -> list[LinkedExternalIdentity]:
        linked = await external_identities_links.linked(info.context.caller)
        return [LinkedExternalIdentity.of(row) for row in linked]


@strawberry.type
class ExternalSignInMutations:
    @strawberry.mutation(description="Begin an eID sign-in (or a link, when signed in): send "
                                      "the browser to the returned authorizationUrl.")
    @user_errors_as(StartExternalSignInPayload)
    async def start_external_sign_in(
        self, info: Info, input: MutationInput[StartExternalSignInInput]
    ) -> StartExternalSignInPayload:
        url = await external_identities.start(info.context.caller, provider_id=input.provider,
                                              redirect_uri=input.redirect_uri)
        return StartExternalSignInPayload(authorization_url=url)

    @strawberry.mutation(description="Finish an eID sign-in with what the provider sent back. "
                                      "An eID sign-in is strong: no second-factor step.")
    @user_errors_as(CompleteExternalSignInPayload)
    async def complete_external_sign_in(
        self, info: Info, input: MutationInput[CompleteExternalSignInInput]
    ) -> CompleteExternalSignInPayload:
        result = await external_identities.complete_sign_in(
            info.context.caller, code=input.code, state=input.state, error=input.error)
        if isinstance(result, signin.SignedIn):
            return CompleteExternalSignInPayload(
                token=result.token, expires_at=result.expires_at,
                viewer=Viewer.from_account(result.account), device_token=result.device_token)
        return CompleteExternalSignInPayload(registration=result.registration,
                                             registration_name=result.name,
                                             registration_expires_at=result.expires_at)

    @strawberry.mutation(description="Create the account of an eID sign-in with an email. "
                                      "Answers `accepted` whether or not the address is "
                                      "taken; the email says what happened.")
    @user_errors_as(RegisterPayload)
    async def register_with_external_identity(
        self, info: Info, input: MutationInput[RegisterWithExternalIdentityInput]
    ) -> RegisterPayload:
        await external_identities.register(info.context.caller, registration=input.registration,
                                           email=input.email, time_zone=input.time_zone,
                                           accepted=accepted_versions(
                                               input.accepted_terms,
                                               input.accepted_privacy_notice),
                                           locale=input.locale)
        return RegisterPayload(accepted=True)

    @strawberry.mutation(description="Link an eID to the signed-in account (password again).")
    @user_errors_as(LinkExternalIdentityPayload)
    async def link_external_identity(
        self, info: Info, input: MutationInput[LinkExternalIdentityInput]
    ) -> LinkExternalIdentityPayload:
        linked = await external_identities_links.link(
            info.context.caller, code=input.code, state=input.state, error=input.error,
            password=input.identity.password, totp_code=input.identity.code)
        return LinkExternalIdentityPayload(external_identity=LinkedExternalIdentity.of(linked))

    @strawberry.mutation(description="Unlink an eID, while another way to sign in remains.")
    @user_errors_as(UnlinkExternalIdentityPayload)
    async def unlink_external_identity(
        self, info: Info, input: MutationInput[UnlinkExternalIdentityInput]
    ) -> UnlinkExternalIdentityPayload:
        await external_identities_links.unlink(info.context.caller, provider_id=input.provider)
        return UnlinkExternalIdentityPayload(unlinked=True)
