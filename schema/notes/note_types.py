"""Notes in the API: a professional's sealed note about a client, opened for its author only."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Self

import strawberry
from strawberry import relay

from models import notes as m
from resolvers.notes import note_reading
from resolvers.notes.note_reading import OpenedNote
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.ids import GLOBAL_ID, global_id, visible_nodes
from schema.scheduling.session_types import Session

described_enum(note_reading.NoteState, {
    note_reading.NoteState.OPEN: "Opened with your notes key: title and body are there.",
    note_reading.NoteState.DAMAGED:
        "What is stored is not this note (copied from another note or client, or corrupted), "
        "so it is not shown; replace it with updateNote giving both title and body, or delete "
        "it.",
    note_reading.NoteState.UNREADABLE:
        "Sealed to a notes key lost in a password reset without the recovery key; restoring "
        "that key with the recovery key opens it again.",
}, name="NoteState", description="Whether a note opened, and if not, why its text is missing.")
NoteState = note_reading.NoteState


@strawberry.type(description="A note about a client, readable only by the professional who "
                             "wrote it. Without text when `state` is not OPEN: show `problem`.")
class Note(relay.Node):
    note_id: relay.NodeID[str]
    id: strawberry.ID = strawberry.field(description=GLOBAL_ID)
    about_date: date = strawberry.field(description="The day the note is about.")
    state: NoteState = strawberry.field(
        description="Whether the note opened: title and body are there only when OPEN.")
    title: str | None = strawberry.field(description="May be empty; null unless OPEN.")
    body: str | None = strawberry.field(description="Null unless OPEN.")
    problem: str | None = strawberry.field(
        description="Why there is no text, in words to show the professional; null when OPEN."
    )
    created_at: datetime = strawberry.field(description="When it was written (UTC).")
    updated_at: datetime = strawberry.field(description="When it was last changed (UTC).")
    _model: strawberry.Private[m.Note]

    @classmethod
    def of(cls, opened: OpenedNote) -> Self:
        note, text = opened.note, opened.text
        return cls(
            note_id=str(note.id), id=global_id("Note", note.id), about_date=note.about_date,
            state=opened.state,
            title=text.title if text else None, body=text.body if text else None,
            problem=opened.problem, created_at=note.created_at, updated_at=note.updated_at,
            _model=note,
        )

    @strawberry.field(description="The session the note belongs to, if it was linked to one.")
    def session(self, info: Info) -> Session | None:
        session = self._model.session
        return Session.seen_by(info)(session) if session is not None else None

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the author gets a note, opened with this sign-in's key; the read is audited."""
        caller = info.context.caller
        return await visible_nodes(
            node_ids, lambda ids: note_reading.notes_by_ids(caller, ids), cls.of)
