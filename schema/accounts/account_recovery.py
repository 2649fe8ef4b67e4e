"""Links by email for an account's owner: confirming the address, resetting the password."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.accounts import email_confirmation, password_reset
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as


@strawberry.input(description="The token from the confirmation email's link.")
class ConfirmEmailInput:
    token: str = strawberry.field(description="From the link in the confirmation email.")


@strawberry.input(description="Where to send a reset link.")
class RequestPasswordResetInput:
    email: str = strawberry.field(
        description="The account's sign-in address; the answer does not reveal whether one "
                    "exists.")


@strawberry.input(
    description="A new password through the reset link, and what to do with the notes key.")
class ResetPasswordInput:
    token: str = strawberry.field(description="From the link in the reset email.")
    new_password: str = strawberry.field(description="At least 10 characters.")
    note_recovery_key: str | None = strawberry.field(
        default=None,
        description="Professionals: the recovery key shown when the notes key was made. With "
                    "it, earlier notes stay readable; without it they are locked until that "
                    "recovery key is given to recoverOldNotes.",
    )
    accept_locked_notes: bool = strawberry.field(
        default=False,
        description="Set only after the person confirmed resetting without the recovery key "
                    "while passwordResetPreview said notesAtStake. Without it such a reset is "
                    "refused (NOTES_AT_STAKE on noteRecoveryKey) and the link stays usable.",
    )


@strawberry.type(description="What the reset page needs before its form; nothing else "
                              "about the account.")
class PasswordResetPreview:
    valid: bool = strawberry.field(
        description="The link can be used now. False alike for forged, expired and used links: "
                    "then offer to ask for a new one."
    )
    notes_at_stake: bool = strawberry.field(
        description="Resetting without the notes recovery key would lock notes. When true, ask "
                    "for the recovery key, and send acceptLockedNotes only after the person "
                    "confirms going on without it. Always false when not valid."
    )


@strawberry.type
class AccountRecoveryQueries:
    @strawberry.field(description="Check a reset link before showing its form; works signed "
                                   "out and changes nothing.")
    async def password_reset_preview(self, token: Annotated[str, strawberry.argument(
            description="The token from the reset link.")]) -> PasswordResetPreview:
        preview = await password_reset.preview_password_reset(token)
        return PasswordResetPreview(valid=preview.valid, notes_at_stake=preview.notes_at_stake)


@strawberry.type(description="The result of confirmEmail.")
class ConfirmEmailPayload(Payload):
    email: str | None = strawberry.field(
        default=None,
        description="The address confirmed; null when userErrors is not empty.")
    email_confirmed: bool = strawberry.field(
        default=False,
        description="True once the address is confirmed.")


@strawberry.type(description="The result of requestPasswordReset.")
class RequestPasswordResetPayload(Payload):
    accepted: bool = strawberry.field(
        default=False,
        description="True for every well-formed address: the answer never says whether an "
                    "account exists. Tell the person to check their inbox.",
    )


@strawberry.type(
    description="The result of resetPassword; sign in with the new password afterwards.")
class ResetPasswordPayload(Payload):
    password_changed: bool = strawberry.field(
        default=False, description="Every device was signed out: sign in with the new password."
    )
    notes_kept: bool | None = strawberry.field(
        default=None,
        description="Professionals only (null otherwise): false when notes written before the "
                    "reset are locked (until recovered with their old recovery key).",
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
    async def confirm_email(self, info: Info, input: MutationInput[ConfirmEmailInput]
                            ) -> ConfirmEmailPayload:
        account = await email_confirmation.confirm_email(info.context.caller, token=input.token)
        return ConfirmEmailPayload(email=account.email,
                                   email_confirmed=account.email_confirmed_at is not None)

    @strawberry.mutation(description="Email a password reset link if the address has an "
                                     "account. The answer is the same either way.")
    @user_errors_as(RequestPasswordResetPayload)
    async def request_password_reset(self, info: Info,
                                     input: MutationInput[RequestPasswordResetInput]
                                     ) -> RequestPasswordResetPayload:
        await password_reset.request_password_reset(info.context.caller, email=input.email)
        return RequestPasswordResetPayload(accepted=True)

    @strawberry.mutation(description="Set a new password from a reset link; ends every login "
                                     "session of the account.")
    @user_errors_as(ResetPasswordPayload)
    async def reset_password(self, info: Info, input: MutationInput[ResetPasswordInput]
                             ) -> ResetPasswordPayload:
        notes = await password_reset.reset_password(
            info.context.caller, token=input.token, new_password=input.new_password,
            note_recovery_key=input.note_recovery_key,
            accept_locked_notes=input.accept_locked_notes,
        )
        if notes is None:
            return ResetPasswordPayload(password_changed=True)
        return ResetPasswordPayload(password_changed=True, notes_kept=notes.notes_kept,
                                    notes_message=notes.message,
                                    note_recovery_key=notes.recovery_key)
