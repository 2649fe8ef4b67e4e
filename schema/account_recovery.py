"""Links by email for an account's owner: confirming the address, resetting the password."""

from __future__ import annotations

import strawberry

from resolvers import email_confirmation, password_reset
from schema.context import Info
from schema.errors import Payload, user_errors_as


@strawberry.input
class ConfirmEmailInput:
    token: str = strawberry.field(description="From the link in the confirmation email.")


@strawberry.input
class RequestPasswordResetInput:
    email: str


@strawberry.input
class ResetPasswordInput:
    token: str = strawberry.field(description="From the link in the reset email.")
    new_password: str = strawberry.field(description="At least 10 characters.")
    note_recovery_key: str | None = strawberry.field(
        default=None,
        description="Professionals: the recovery key shown when the notes key was made. With "
                    "it, earlier notes stay readable; without it they cannot be opened again.",
    )


@strawberry.type
class ConfirmEmailPayload(Payload):
    email: str | None = None
    email_confirmed: bool = False


@strawberry.type
class RequestPasswordResetPayload(Payload):
    accepted: bool = strawberry.field(
        default=False,
        description="True for every well-formed address: the answer never says whether an "
                    "account exists. Tell the person to check their inbox.",
    )


@strawberry.type
class ResetPasswordPayload(Payload):
    password_changed: bool = strawberry.field(
        default=False, description="Every device was signed out: sign in with the new password."
    )
    notes_kept: bool | None = strawberry.field(
        default=None,
        description="Professionals only (null otherwise): false when notes written before the "
                    "reset can no longer be opened.",
    )
    notes_message: str | None = strawberry.field(
        default=None, description="Professionals only: show it; it says what became of the notes."
    )
    note_recovery_key: str | None = strawberry.field(
        default=None,
        description="A new recovery key when a new notes key was made: show it once and ask the "
                    "professional to write it down. It is never shown again.",
    )


@strawberry.type
class AccountRecoveryMutations:
    @strawberry.mutation(description="Confirm an email address from the emailed link; works "
                                     "signed out.")
    @user_errors_as(ConfirmEmailPayload)
    async def confirm_email(self, info: Info, input: ConfirmEmailInput) -> ConfirmEmailPayload:
        account = await email_confirmation.confirm_email(info.context.caller, token=input.token)
        return ConfirmEmailPayload(email=account.email,
                                   email_confirmed=account.email_confirmed_at is not None)

    @strawberry.mutation(description="Email a password reset link if the address has an "
                                     "account. The answer is the same either way.")
    @user_errors_as(RequestPasswordResetPayload)
    async def request_password_reset(self, info: Info, input: RequestPasswordResetInput
                                     ) -> RequestPasswordResetPayload:
        await password_reset.request_password_reset(info.context.caller, email=input.email)
        return RequestPasswordResetPayload(accepted=True)

    @strawberry.mutation(description="Set a new password from a reset link; ends every login "
                                     "session of the account.")
    @user_errors_as(ResetPasswordPayload)
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> ResetPasswordPayload:
        notes = await password_reset.reset_password(
            info.context.caller, token=input.token, new_password=input.new_password,
            note_recovery_key=input.note_recovery_key,
        )
        if notes is None:
            return ResetPasswordPayload(password_changed=True)
        return ResetPasswordPayload(password_changed=True, notes_kept=notes.notes_kept,
                                    notes_message=notes.message,
                                    note_recovery_key=notes.recovery_key)
