"""Mutations on notes: writing, changing and deleting a note about one of your clients."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry

from resolvers.notes import notes
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.ids import node_uuid
from schema.notes.note_types import Note

DATE = "The day the note is about (the note's aboutDate), e.g. the session's day."
NOTE_ID = "A Note of yours; NOT_FOUND for anyone else's, exactly as for one that does not exist."
SESSION_ID = "A Session of yours with this client the note belongs to."


@strawberry.input(description="A new note about one of your clients; it is sealed with your "
                               "notes key before it is stored.")
class WriteNoteInput:
    client_id: strawberry.ID = strawberry.field(description="The ClientProfile id.")
    about_date: date = strawberry.field(name="date", description=DATE)
    body: str = strawberry.field(description="Required; at most 200 KB of UTF-8.")
    title: str = strawberry.field(default="", description="Optional; at most 200 characters.")
    session_id: strawberry.ID | None = strawberry.field(default=None, description=SESSION_ID)


@strawberry.input(description="Fields left out stay as they are.")
class UpdateNoteInput:
    note_id: strawberry.ID = strawberry.field(description=NOTE_ID)
    about_date: strawberry.Maybe[date] = strawberry.field(name="date", description=DATE)
    title: strawberry.Maybe[str] = strawberry.field(
        description="The new title, at most 200 characters; empty removes it.")
    body: strawberry.Maybe[str] = strawberry.field(
        description="The new text, replacing the old; not empty, at most 200 KB of UTF-8.")
    session_id: strawberry.Maybe[strawberry.ID | None] = strawberry.field(
        description=f"{SESSION_ID} Null unlinks the session."
    )


@strawberry.input(description="The note to delete; it cannot be brought back.")
class DeleteNoteInput:
    note_id: strawberry.ID = strawberry.field(description=NOTE_ID)


@strawberry.type(description="The note as written; userErrors name NOTES_LOCKED, NOT_FOUND, "
                             "NOTE_UNREADABLE (replace it with both title and body) or "
                             "INVALID_INPUT.")
class NotePayload(Payload):
    note: Note | None = strawberry.field(
        default=None, description="The note as stored, opened; null when userErrors is not "
                                  "empty.")


@strawberry.type(description="Which note was deleted.")
class DeleteNotePayload(Payload):
    deleted_note_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deleted Note's id, to drop it from the cache; null when "
                                  "userErrors is not empty.")


def _session_uuid(global_id: strawberry.ID | None) -> UUID | None:
    """None for no session; an id that is not a Session's is refused, never read as none."""
    if global_id is None:
        return None
    session_id = node_uuid(global_id, "Session")
    if session_id is None:
        raise notes.session_not_found()
    return session_id


@strawberry.type
class NoteMutations:
    @strawberry.mutation(description="Write a note about one of your clients, sealed so that "
                                     "only you can read it. Needs your notes unlocked in this "
                                     "sign-in (NOTES_LOCKED otherwise).")
    @user_errors_as(NotePayload)
    async def write_note(self, info: Info, input: MutationInput[WriteNoteInput]) -> NotePayload:
        opened = await notes.write_note(
            info.context.caller, client_id=node_uuid(input.client_id, "ClientProfile"),
            about_date=input.about_date, title=input.title, body=input.body,
            session_id=_session_uuid(input.session_id),
        )
        return NotePayload(note=Note.of(opened))

    @strawberry.mutation(description="Change a note of yours. To replace a note that no longer "
                                     "opens, give both title and body.")
    @user_errors_as(NotePayload)
    async def update_note(self, info: Info, input: MutationInput[UpdateNoteInput]) -> NotePayload:
        opened = await notes.update_note(
            info.context.caller, node_uuid(input.note_id, "Note"),
            about_date=input.about_date.value if input.about_date else None,
            title=input.title.value if input.title else None,
            body=input.body.value if input.body else None,
            change_session=input.session_id is not None,
            session_id=_session_uuid(input.session_id.value) if input.session_id else None,
        )
        return NotePayload(note=Note.of(opened))

    @strawberry.mutation(description="Delete a note of yours for good.")
    @user_errors_as(DeleteNotePayload)
    async def delete_note(self, info: Info, input: MutationInput[DeleteNoteInput]
                          ) -> DeleteNotePayload:
        await notes.delete_note(info.context.caller, node_uuid(input.note_id, "Note"))
        return DeleteNotePayload(deleted_note_id=input.note_id)
