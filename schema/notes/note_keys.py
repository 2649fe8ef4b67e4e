"""The professional's notes key in the API: rotating it, recovering notes locked by a reset,
and how recovery keys are shown."""

from __future__ import annotations

import strawberry

from resolvers.notes import note_key_rotation, note_recovery
from schema.accounts.accounts import NOTE_RECOVERY_KEY
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as


@strawberry.input(description="Replace the notes key pair.")
class RotateNoteKeyInput:
    password: str = strawberry.field(
        description="The current password, asked again: it opens the old key and wraps the new."
    )


@strawberry.type(description="The notes key was replaced; every note now opens with the new one.")
class RotateNoteKeyPayload(Payload):
    note_recovery_key: str | None = strawberry.field(default=None,
                                                     description=NOTE_RECOVERY_KEY)
    key_version: int | None = strawberry.field(
        default=None, description="Grows by one with every new key pair."
    )
    notes_resealed: int | None = strawberry.field(
        default=None, description="How many notes were re-sealed to the new key."
    )


@strawberry.input(description="Open notes locked by a password reset without the recovery key.")
class RecoverOldNotesInput:
    note_recovery_key: str = strawberry.field(
        description="The recovery key the professional had before that reset (not the one "
                    "shown at the reset)."
    )


@strawberry.type(description="The locked notes were re-sealed to the current key and open again.")
class RecoverOldNotesPayload(Payload):
    notes_recovered: int | None = strawberry.field(
        default=None, description="How many notes open again."
    )


@strawberry.type
class NoteKeyMutations:
    @strawberry.mutation(description=(
        "Make a new notes key pair and re-seal every note to it, all at once (or set the key "
        "up if it is missing). The previous recovery key stops working: show the new one. "
        "Other signed-in devices must sign in again to open notes."
    ))
    @user_errors_as(RotateNoteKeyPayload)
    async def rotate_note_key(self, info: Info, input: MutationInput[RotateNoteKeyInput]
                              ) -> RotateNoteKeyPayload:
        rotated = await note_key_rotation.rotate_note_key(info.context.caller,
                                                          password=input.password)
        return RotateNoteKeyPayload(note_recovery_key=rotated.recovery_key,
                                    key_version=rotated.version,
                                    notes_resealed=rotated.notes_resealed)

    @strawberry.mutation(description=(
        "Recover notes locked by a password reset without the recovery key, with that old "
        "recovery key found again: every note sealed to the old key is re-sealed to the "
        "current one, all at once. Needs the notes key unlocked in this sign-in."
    ))
    @user_errors_as(RecoverOldNotesPayload)
    async def recover_old_notes(self, info: Info, input: MutationInput[RecoverOldNotesInput]
                                ) -> RecoverOldNotesPayload:
        recovered = await note_recovery.recover_old_notes(
            info.context.caller, recovery_key=input.note_recovery_key
        )
        return RecoverOldNotesPayload(notes_recovered=recovered.notes_recovered)
