"""Reading notes: opened with the author's key for this request, newest first, every read audited.

Only the author ever gets a note: every query here is filtered by the caller's own account, and
the key that opens it is the one their sign-in holds (resolvers/accounts/note_keys.py).

A note that does not open is never hidden nor shown as something else. It comes back in its
place with no text and a state saying why:

- DAMAGED: what is stored in its row is not this note (its sealed ids or key version do not
  match the row: a ciphertext copied from another note, client or author, or corrupted);
- UNREADABLE: it was sealed to a notes key that a password reset without the recovery key
  replaced; nobody can open it until the professional recovers it with that key's recovery
  key (resolvers/notes/note_recovery.py).

Search runs on the opened text, in the server's memory, for the signed-in author only: the
database holds no plaintext to search. It scans from the cursor until a page of matches is
found: one sealed-box opening per note (about 40 µs for 2 KB) plus loading the rows, 100 per
statement; about 0.3 ms per note in all through the API (BENCHMARKS.md).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from tortoise.queryset import QuerySet

from crypto.notes import (
    NoteError,
    NoteIds,
    NoteText,
    SealedForAnotherKeyError,
    open_note,
    sealed_key_version,
)
from models.notes import Note
from resolvers.accounts.note_keys import UnlockedNoteKey, caller_note_key
from resolvers.accounts.strong_authentication import require_strong_authentication
from resolvers.core import audit, hand_sql
from resolvers.core.caller import Caller
from resolvers.core.errors import UserError, check
from resolvers.core.pagination import MAX_PAGE_SIZE, Page, PageRequest, keyset_page

ORDER = [("about_date", date, True), ("created_at", datetime, True), ("id", UUID, True)]
"""Newest day first; on one day, the note written last first."""
MAX_SEARCH_CHARACTERS = 200

DAMAGED_MESSAGE = (
    "This note is damaged: what is stored for it does not belong to this note, so it is not "
    "shown. Contact support; you can delete it."
)
UNREADABLE_MESSAGE = (
    "This note was sealed to a notes key that was replaced when your password was reset "
    "without the recovery key. It opens again only if you recover your old notes with the "
    "recovery key you had before that reset; you can also delete it."
)


class NoteState(StrEnum):
    OPEN = "open"
    DAMAGED = "damaged"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class OpenedNote:
    note: Note
    state: NoteState
    text: NoteText | None = None

    @property
    def problem(self) -> str | None:
        """Why there is no text, in words for the professional; None for an open note."""
        return {NoteState.OPEN: None, NoteState.DAMAGED: DAMAGED_MESSAGE,
                NoteState.UNREADABLE: UNREADABLE_MESSAGE}[self.state]


def ids_of(note: Note) -> NoteIds:
    return NoteIds(note_id=note.id, client_id=note.client_id, author_id=note.author_id)


def open_row(key: UnlockedNoteKey, note: Note) -> OpenedNote:
    """Open one note row with the author's current key.

    The version written on the row must match the one inside the ciphertext: a mismatch means
    the ciphertext came from elsewhere (damaged). A row of an older version than the key is
    one whose key was lost in a reset (unreadable); the ids sealed inside are checked by
    `open_note` (damaged).
    """
    try:
        if sealed_key_version(note.sealed) != note.key_version:
            return OpenedNote(note, NoteState.DAMAGED)
        text = open_note(key.private_key, note.sealed, key_version=key.version, ids=ids_of(note))
    except SealedForAnotherKeyError as error:
        state = (NoteState.UNREADABLE if error.sealed_version < key.version
                 else NoteState.DAMAGED)
        return OpenedNote(note, state)
    except NoteError:
        return OpenedNote(note, NoteState.DAMAGED)
    return OpenedNote(note, NoteState.OPEN, text)


async def client_notes(
    caller: Caller, client_id: UUID, *, request: PageRequest,
    date_from: date | None, date_to: date | None, search: str | None,
) -> Page[OpenedNote]:
    """One page of the caller's notes about a client, opened; the read is audited.

    The caller must already have been shown the client's profile (resolvers/client_profiles);
    the query is filtered by the caller as author anyway, so nobody else's note can appear.
    """
    account = caller.require_professional()
    require_strong_authentication(caller)
    needle = _normalised(search or "").strip()
    errors = []
    if date_from and date_to and date_from > date_to:
        errors.append(UserError("The start date is after the end date; swap them.",
                                field="to"))
    if len(needle) > MAX_SEARCH_CHARACTERS:
        errors.append(UserError(f"Search for at most {MAX_SEARCH_CHARACTERS} characters.",
                                field="search"))
    check(errors)
    key = await caller_note_key(caller)
    if needle:
        query = Note.filter(author_id=account.id, client_id=client_id).prefetch_related("session")
        if date_from:
            query = query.filter(about_date__gte=date_from)
        if date_to:
            query = query.filter(about_date__lte=date_to)
        page = await _search(query, key, needle, request)
    else:
        page = await _page(account.id, client_id, key, request, date_from, date_to)
    await audit.record(caller, "read_notes", subject_type="client", subject_id=client_id,
                       person_id=client_id)
    return page


async def _page(author_id: UUID, client_id: UUID, key: UnlockedNoteKey, request: PageRequest,
                date_from: date | None, date_to: date | None) -> Page[OpenedNote]:
    """A page without search, as fixed SQL (every client profile opens with it); the notes'
    sessions in one more query, as prefetch_related would."""
    where = "author_id = ? AND client_id = ?"
    values: list[object] = [author_id, client_id]
    if date_from:
        where += " AND about_date >= ?"
        values.append(date_from)
    if date_to:
        where += " AND about_date <= ?"
        values.append(date_to)
    rows = await hand_sql.keyset_page(Note, where, values, order=ORDER, request=request)
    await Note.fetch_for_list(rows.items, "session")
    return Page(items=[open_row(key, note) for note in rows.items], cursors=rows.cursors,
                has_next_page=rows.has_next_page, has_previous_page=rows.has_previous_page)


async def notes_by_ids(caller: Caller, ids: Iterable[UUID]) -> dict[UUID, OpenedNote]:
    """The caller's own notes among `ids`, opened (for `node(id:)`); each client's read audited.

    Anyone who is not the author finds nothing, before any key is looked at.
    """
    account = caller.account
    wanted = list(ids)
    if account is None or not account.is_professional or not wanted:
        return {}
    rows = await Note.filter(author_id=account.id, id__in=wanted).prefetch_related("session")
    if not rows:
        return {}
    require_strong_authentication(caller)
    key = await caller_note_key(caller)
    for client_id in sorted({note.client_id for note in rows}):
        await audit.record(caller, "read_notes", subject_type="client", subject_id=client_id,
                           person_id=client_id)
    return {note.id: open_row(key, note) for note in rows}


async def _search(query: QuerySet, key: UnlockedNoteKey, needle: str, request: PageRequest
                  ) -> Page[OpenedNote]:
    """Scan in keyset order away from the request's cursor (backward too), opening each note,
    until a page of matches is found."""
    items: list[OpenedNote] = []
    cursors: list[str] = []
    batches = replace(request, size=MAX_PAGE_SIZE)
    while True:
        batch = await keyset_page(query, order=ORDER, request=batches)
        read = list(zip(batch.items, batch.cursors, strict=True))
        for note, cursor in read[::-1] if request.backward else read:
            opened = open_row(key, note)
            if opened.text is None or needle not in _normalised(
                f"{opened.text.title}\n{opened.text.body}"
            ):
                continue
            if len(items) == request.size:
                return request.page(items, cursors, more=True)
            items.append(opened)
            cursors.append(cursor)
        beyond = batch.has_previous_page if request.backward else batch.has_next_page
        if not beyond:
            return request.page(items, cursors, more=False)
        batches = batches.continuing((read[0] if request.backward else read[-1])[1],
                                     MAX_PAGE_SIZE)


def _normalised(text: str) -> str:
    """Case- and form-insensitive: 'ÞÓRUNN' finds 'Þórunn', composed or not."""
    return unicodedata.normalize("NFKC", text).casefold()
