"""Accounts in the API: the viewer, registration, sign-in, password and second factor."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from models.accounts import Account
from resolvers.accounts import (
    access_log,
    accounts,
    consents,
    registration,
    second_factor,
    signin,
)
from resolvers.core.pagination import PageRequest
from schema.accounts.access_log import AccessLogEntry
from schema.accounts.consents import (
    ACCEPTED_PRIVACY_NOTICE,
    ACCEPTED_TERMS,
    Consent,
    accepted_versions,
)
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.pagination import BOTH_WAYS, After, Before, Connection, First, Last

NOTE_RECOVERY_KEY = (
    "The notes recovery key, returned this once and never again (we do not keep it). Show it "
    "on its own screen and ask the person to write it down or store it in a password manager "
    "before continuing: after a password reset it is the only way to open notes written "
    "before. Null when no new notes key was made."
)


@strawberry.enum(description="What an account can act as; one account can be both.")
class Role(Enum):
    CLIENT = strawberry.enum_value("client", description="Books and attends sessions; sees "
                                                        "the hub.")
    PROFESSIONAL = strawberry.enum_value("professional", description="Offers services, keeps "
                                                                    "notes; sees the practice.")


@strawberry.type(description="The signed-in person. The SPA picks its mode from `roles`.")
class Viewer(relay.Node):
    account_id: relay.NodeID[str]
    email: str = strawberry.field(description="The sign-in address; emails go here.")
    email_confirmed: bool = strawberry.field(
        description="False until the address is proven (confirmation link, invitation or "
                    "password reset)."
    )
    name: str = strawberry.field(description="The person's name, as they gave it.")
    roles: list[Role] = strawberry.field(
        description="What the account can act as; the SPA picks its mode from it.")
    time_zone: str = strawberry.field(description="IANA zone; times are shown in it.")
    locale: str = strawberry.field(description="Language of emails and receipts: en or is.")
    second_factor_enabled: bool = strawberry.field(
        description="Whether sign-in asks for an authenticator code after the password.")

    @strawberry.field(description="Every read of your personal data, newest first: a "
                                  "professional opening your profile or their notes about "
                                  "you, and your own exports (the right health-records law "
                                  "gives)." + BOTH_WAYS)
    async def access_log(self, info: Info, first: First = None, after: After = None,
                         last: Last = None, before: Before = None
                         ) -> Connection[AccessLogEntry]:
        account = info.context.caller.require_account()
        page = await access_log.accesses_to_my_data(
            account, request=PageRequest.of(first=first, after=after, last=last, before=before))
        return Connection.of(page, lambda access: AccessLogEntry.of(
            access, viewer_id=str(account.id), show_address=False))

    @strawberry.field(description="True while the current terms of service or privacy notice "
                                  "(legalDocuments) are not accepted: show them and call "
                                  "acceptTerms. Nothing else is refused meanwhile.")
    async def consent_required(self, info: Info) -> bool:
        caller = info.context.caller
        return await consents.consent_required(caller.settings, caller.require_account())

    @strawberry.field(description="Every version of the terms and privacy notice this person "
                                  "accepted, and when, newest first.")
    async def consents(self, info: Info) -> list[Consent]:
        return [Consent.of(row) for row in await consents.my_consents(
            info.context.caller.require_account())]

    @classmethod
    def from_account(cls, account: Account) -> Viewer:
        roles = [role for role, on in ((Role.CLIENT, account.is_client),
                                       (Role.PROFESSIONAL, account.is_professional)) if on]
        return cls(
            account_id=str(account.id), email=account.email,
            email_confirmed=account.email_confirmed_at is not None, name=account.name, roles=roles,
            time_zone=account.time_zone, locale=account.locale,
            second_factor_enabled=account.second_factor_enabled,
        )

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Viewer | None]:
        """Only the viewer's own account resolves; any other id looks like it does not exist."""
        account = info.context.caller.account
        return [
            cls.from_account(account) if account and str(account.id) == node_id else None
            for node_id in node_ids
        ]


@strawberry.input(description="A new account; it is signed in at once.")
class RegisterInput:
    email: str = strawberry.field(
        description="The sign-in address; EMAIL_TAKEN when another account has it.")
    password: str = strawberry.field(description="At least 10 characters.")
    name: str = strawberry.field(
        description="How the person is greeted and shown to professionals.")
    time_zone: str = strawberry.field(description="IANA zone, e.g. Atlantic/Reykjavik.")
    locale: str = strawberry.field(
        default="en",
        description="Language of emails and receipts: en or is.")
    accepted_terms: str = strawberry.field(description=ACCEPTED_TERMS)
    accepted_privacy_notice: str = strawberry.field(description=ACCEPTED_PRIVACY_NOTICE)
    roles: list[Role] = strawberry.field(
        default_factory=lambda: [Role.CLIENT],
        description="CLIENT, PROFESSIONAL or both; a professional gets a profile to fill in.")


@strawberry.input(description="Email and password; a second factor may be asked next.")
class LoginInput:
    email: str = strawberry.field(description="The sign-in address.")
    password: str = strawberry.field(description="The account's password.")
    device_token: str | None = strawberry.field(default=None, description=(
        "The `deviceToken` this browser got from its last sign-in. With it, failed attempts "
        "by others on this email do not lock this browser out."
    ))


@strawberry.input(description="The second step of a sign-in with two-step sign-in on: the "
                               "challenge from login and either an authenticator code or a "
                               "recovery code. INVALID_CODE or CHALLENGE_EXPIRED otherwise.")
class VerifySecondFactorInput:
    challenge: str = strawberry.field(description="From the login payload.")
    code: str | None = strawberry.field(default=None, description="6 digits from the app.")
    recovery_code: str | None = strawberry.field(
        default=None, description="One of the recovery codes; each works once."
    )


@strawberry.input(description="Which sign-ins to end.")
class LogoutInput:
    all_devices: bool = strawberry.field(
        default=False, description="Also sign out every other device of this account."
    )


@strawberry.input(description="The current password and the new one; other devices are signed out.")
class ChangePasswordInput:
    current_password: str = strawberry.field(
        description="Proves it is the account holder (INVALID_CREDENTIALS otherwise).")
    new_password: str = strawberry.field(
        description="At least 10 characters (WEAK_PASSWORD otherwise).")


@strawberry.input(description="Fields left out stay as they are.")
class UpdateProfileInput:
    name: strawberry.Maybe[str] = strawberry.field(description="The person's name.")
    time_zone: strawberry.Maybe[str] = strawberry.field(
        description="IANA zone, e.g. Atlantic/Reykjavik; times are shown in it.")
    locale: strawberry.Maybe[str] = strawberry.field(
        description="Language of emails and receipts: en or is.")


@strawberry.input(description="The current password, asked again before a sensitive change.")
class PasswordConfirmationInput:
    password: str = strawberry.field(description="The account's current password.")


@strawberry.input(description="The first code from the authenticator app, proving it was set up.")
class ConfirmTotpEnrolmentInput:
    code: str = strawberry.field(description="6 digits from the app (INVALID_CODE otherwise).")


@strawberry.type(description="A signed-in session: send `token` as `Authorization: Bearer`.")
class AuthPayload(Payload):
    token: str | None = strawberry.field(
        default=None,
        description="The bearer token for the Authorization header; null when userErrors is not "
                    "empty or a second factor is still needed.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="Absolute expiry; idle sessions end sooner."
    )
    viewer: Viewer | None = strawberry.field(
        default=None,
        description="The signed-in account; null without a token.")
    device_token: str | None = strawberry.field(default=None, description=(
        "Keep it in this browser (e.g. localStorage) and pass it to the next `login` as "
        "`deviceToken`: it makes this browser a known device, which others' failed attempts "
        "cannot lock out. Replaces the one sent with this sign-in; valid for 180 days by "
        "default."
    ))

    @classmethod
    def signed_in(cls, result: signin.SignedIn) -> AuthPayload:
        return cls(token=result.token, expires_at=result.expires_at,
                   viewer=Viewer.from_account(result.account), device_token=result.device_token)


@strawberry.type(description=(
    "The same answer whether or not the address already has an account: tell the person to "
    "check their inbox. A new address gets a confirmation link and can sign in once it is "
    "opened; an address with an account gets a note that someone tried, with a password reset "
    "link. Nothing here or in timing says which."
))
class RegisterPayload(Payload):
    accepted: bool = strawberry.field(
        default=False, description="True for every valid form, whatever the address."
    )


@strawberry.type(description="Either signed in, or a second factor is needed to finish.")
class LoginPayload(AuthPayload):
    second_factor_required: bool = strawberry.field(
        default=False,
        description="True when the account has two-step sign-in: call verifySecondFactor with the "
                    "challenge.")
    challenge: str | None = strawberry.field(
        default=None, description="Pass to verifySecondFactor with the code."
    )
    challenge_expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the challenge stops working (UTC); sign in again after it.")
    note_recovery_key: str | None = strawberry.field(
        default=None, description=f"Only at a professional's first sign-in, when their notes "
                                  f"key is made. {NOTE_RECOVERY_KEY}"
    )


@strawberry.type(description="The result of a change to the signed-in account.")
class ViewerPayload(Payload):
    viewer: Viewer | None = strawberry.field(
        default=None,
        description="The account after the change; null when userErrors is not empty.")


@strawberry.type(description="Practitioner mode is on.")
class BecomeProfessionalPayload(ViewerPayload):
    note_recovery_key: str | None = strawberry.field(default=None,
                                                     description=NOTE_RECOVERY_KEY)


@strawberry.type(description="The result of logout.")
class LogoutPayload(Payload):
    signed_out: bool = strawberry.field(
        default=False,
        description="True once the token (and with allDevices every other one) no longer works.")


@strawberry.type(description="Show `secret` as a QR code of `otpauthUri`, then confirm a code.")
class TotpEnrolmentPayload(Payload):
    secret: str | None = strawberry.field(
        default=None,
        description="The shared secret in base32, for typing into the app by hand.")
    otpauth_uri: str | None = strawberry.field(
        default=None,
        description="The otpauth:// URI to show as a QR code; confirm with the app's first code.")


@strawberry.type(description="The result of confirmTotpEnrolment.")
class ConfirmTotpEnrolmentPayload(Payload):
    viewer: Viewer | None = strawberry.field(
        default=None,
        description="The account with secondFactorEnabled true; null when userErrors is not "
                    "empty.")
    recovery_codes: list[str] | None = strawberry.field(
        default=None, description="Shown once: ask the person to store them safely."
    )


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in person, or null when signed out.")
    def viewer(self, info: Info) -> Viewer | None:
        account = info.context.caller.account
        return Viewer.from_account(account) if account else None


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description=(
        "Ask for an account. Always answers `accepted` (after checking the form), so it never "
        "tells whether the address has an account; the email says what happened. Sign in "
        "after opening the confirmation link."
    ))
    @user_errors_as(RegisterPayload)
    async def register(self, info: Info, input: MutationInput[RegisterInput]) -> RegisterPayload:
        await registration.register(
            info.context.caller, email=input.email, password=input.password, name=input.name,
            time_zone=input.time_zone, locale=input.locale,
            accepted=accepted_versions(input.accepted_terms, input.accepted_privacy_notice),
            as_client=Role.CLIENT in input.roles,
            as_professional=Role.PROFESSIONAL in input.roles,
        )
        return RegisterPayload(accepted=True)

    @strawberry.mutation(description=(
        "Sign in. Wrong email, wrong password and an address not confirmed yet answer alike."
    ))
    @user_errors_as(LoginPayload)
    async def login(self, info: Info, input: MutationInput[LoginInput]) -> LoginPayload:
        result = await signin.login(info.context.caller, email=input.email,
                                    password=input.password, device_token=input.device_token)
        if isinstance(result, signin.SecondFactorNeeded):
            return LoginPayload(second_factor_required=True, challenge=result.challenge,
                                challenge_expires_at=result.expires_at)
        return LoginPayload(token=result.token, expires_at=result.expires_at,
                            viewer=Viewer.from_account(result.account),
                            device_token=result.device_token,
                            note_recovery_key=result.note_recovery_key)

    @strawberry.mutation(description="Finish a sign-in that needs a second factor.")
    @user_errors_as(AuthPayload)
    async def verify_second_factor(self, info: Info, input: MutationInput[VerifySecondFactorInput]
                                   ) -> AuthPayload:
        result = await signin.verify_second_factor(
            info.context.caller, challenge=input.challenge, code=input.code,
            recovery_code=input.recovery_code,
        )
        return AuthPayload.signed_in(result)

    @strawberry.mutation(description="End this login session (or all of them).")
    @user_errors_as(LogoutPayload)
    async def logout(self, info: Info, input: MutationInput[LogoutInput]) -> LogoutPayload:
        await signin.logout(info.context.caller, all_devices=input.all_devices)
        return LogoutPayload(signed_out=True)

    @strawberry.mutation(description=(
        "Change the password; signs out every other device. Notes stay readable here."
    ))
    @user_errors_as(ViewerPayload)
    async def change_password(self, info: Info, input: MutationInput[ChangePasswordInput]
                              ) -> ViewerPayload:
        account = await accounts.change_password(
            info.context.caller, current_password=input.current_password,
            new_password=input.new_password,
        )
        return ViewerPayload(viewer=Viewer.from_account(account))

    @strawberry.mutation(description="Change name, time zone or language; omitted fields stay.")
    @user_errors_as(ViewerPayload)
    async def update_profile(self, info: Info, input: MutationInput[UpdateProfileInput]
                             ) -> ViewerPayload:
        account = await accounts.update_profile(
            info.context.caller,
            name=input.name.value if input.name else None,
            time_zone=input.time_zone.value if input.time_zone else None,
            locale=input.locale.value if input.locale else None,
        )
        return ViewerPayload(viewer=Viewer.from_account(account))

    @strawberry.mutation(description=(
        "Turn on practitioner mode for this account. Returns the notes recovery key once "
        "(see noteRecoveryKey)."
    ))
    @user_errors_as(BecomeProfessionalPayload)
    async def become_professional(self, info: Info, input: MutationInput[PasswordConfirmationInput]
                                  ) -> BecomeProfessionalPayload:
        result = await accounts.become_professional(info.context.caller,
                                                    password=input.password)
        return BecomeProfessionalPayload(viewer=Viewer.from_account(result.account),
                                         note_recovery_key=result.note_recovery_key)

    @strawberry.mutation(description="Begin setting up an authenticator app.")
    @user_errors_as(TotpEnrolmentPayload)
    async def start_totp_enrolment(self, info: Info, input: MutationInput[PasswordConfirmationInput]
                                   ) -> TotpEnrolmentPayload:
        enrolment = await second_factor.start_enrolment(info.context.caller,
                                                        password=input.password)
        return TotpEnrolmentPayload(secret=enrolment.secret,
                                    otpauth_uri=enrolment.otpauth_uri)

    @strawberry.mutation(description="Turn two-step sign-in on with a code from the app.")
    @user_errors_as(ConfirmTotpEnrolmentPayload)
    async def confirm_totp_enrolment(self, info: Info,
                                     input: MutationInput[ConfirmTotpEnrolmentInput]
                                     ) -> ConfirmTotpEnrolmentPayload:
        caller = info.context.caller
        codes = await second_factor.confirm_enrolment(caller, code=input.code)
        return ConfirmTotpEnrolmentPayload(viewer=Viewer.from_account(caller.require_account()),
                                           recovery_codes=codes)

    @strawberry.mutation(description="Turn two-step sign-in off.")
    @user_errors_as(ViewerPayload)
    async def disable_totp(self, info: Info, input: MutationInput[PasswordConfirmationInput]
                           ) -> ViewerPayload:
        account = await second_factor.disable(info.context.caller, password=input.password)
        return ViewerPayload(viewer=Viewer.from_account(account))
