"""Writing, changing and deleting notes: by a professional, about one of their clients.

A note is sealed to the author's public key with its own id, the client's id and the author's
id inside (crypto/notes.py), so only the author can read it back and a ciphertext moved to
another row shows as damaged. Who counts as a client is decided in
resolvers/practice/client_profiles.py.

Every change needs the notes key unlocked in this sign-in (NOTES_LOCKED otherwise), and checks
inside its transaction that the key is still the current one: a rotation or reset on another
device at the same moment would otherwise leave the note sealed to a key nobody holds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from crypto.notes import NoteText, body_problem, seal_note, title_problem
from models.accounts import Account
from models.notes import Note, ProfessionalKeys, RetiredNoteKey
from models.scheduling import Session
from resolvers.accounts.note_keys import UnlockedNoteKey, caller_note_key
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, PublicError, UserError, UserErrors, check, fail
from resolvers.notes.note_reading import NoteState, OpenedNote, ids_of, open_row
from resolvers.practice import client_profiles

NOT_FOUND_MESSAGE = "That note does not exist, or it is not yours."
SESSION_NOT_FOUND_MESSAGE = ("That session does not exist, or it is not one of yours with this "
                             "client.")


async def write_note(caller: Caller, *, client_id: UUID | None, about_date: date, title: str,
                     body: str, session_id: UUID | None = None) -> OpenedNote:
    account = caller.require_professional()
    check(_text_errors(title, body))
    client = await client_profiles.client_of(account, client_id)
    if client is None:
        raise fail("That person is not one of your clients. Pick the client from your "
                   "practice.", ErrorCode.NOT_FOUND, "clientId")
    session = await _session(account, client.id, session_id)
    key = await caller_note_key(caller)
    note = Note(id=uuid4(), author_id=account.id, client_id=client.id,
                session_id=session.id if session else None, about_date=about_date,
                key_version=key.version)
    text = NoteText(title=title, body=body)
    note.sealed = seal_note(key.public_key, key_version=key.version, ids=ids_of(note),
                            text=text)
    async with in_transaction():
        await require_current_key(account, key)
        await note.save(force_create=True)
        await audit.record(caller, "write_note", subject_type="note", subject_id=note.id,
                           person_id=client.id)
    note.session = session
    return OpenedNote(note, NoteState.OPEN, text)


async def update_note(caller: Caller, note_id: UUID | None, *, about_date: date | None = None,
                      title: str | None = None, body: str | None = None,
                      change_session: bool = False, session_id: UUID | None = None
                      ) -> OpenedNote:
    """Change what is given (None keeps it); `change_session` links `session_id`, or unlinks.

    Changing only the title or only the body opens the note to keep the other part; a note
    that does not open can still be replaced by giving both.
    """
    account = caller.require_professional()
    note = await _own_note(account, note_id)
    check([UserError(problem, field=name) for name, value, problem_of in (
        ("title", title, title_problem), ("body", body, body_problem),
    ) if value is not None and (problem := problem_of(value))])
    if change_session:
        session = await _session(account, note.client_id, session_id)
        note.session_id = session.id if session else None
    key = await caller_note_key(caller)
    text = _new_text(key, note, title, body)
    note.about_date = about_date or note.about_date
    note.key_version = key.version
    note.sealed = seal_note(key.public_key, key_version=key.version, ids=ids_of(note),
                            text=text)
    async with in_transaction():
        await require_current_key(account, key)
        updated = await Note.filter(id=note.id, author_id=account.id).update(
            about_date=note.about_date, session_id=note.session_id, sealed=note.sealed,
            key_version=note.key_version, updated_at=datetime.now(UTC),
        )
        if not updated:
            raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "noteId")
        await audit.record(caller, "update_note", subject_type="note", subject_id=note.id,
                           person_id=note.client_id)
    return OpenedNote(await _own_note(account, note.id), NoteState.OPEN, text)


async def delete_note(caller: Caller, note_id: UUID | None) -> UUID:
    """Delete a note for good (also one that no longer opens); returns its id. Deleting the
    last note a password reset locked also deletes the key kept for recovering them."""
    account = caller.require_professional()
    note = await _own_note(account, note_id)
    await caller_note_key(caller)
    async with in_transaction():
        deleted = await Note.filter(id=note.id, author_id=account.id).delete()
        if not deleted:
            raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "noteId")
        if not await Note.exists(author_id=account.id, key_version=note.key_version):
            # The last note a reset locked is gone: its retired key has nothing left to open.
            await RetiredNoteKey.filter(account_id=account.id,
                                        key_version=note.key_version).delete()
        await audit.record(caller, "delete_note", subject_type="note", subject_id=note.id,
                           person_id=note.client_id)
    return note.id


def _new_text(key: UnlockedNoteKey, note: Note, title: str | None, body: str | None
              ) -> NoteText:
    if title is not None and body is not None:
        return NoteText(title=title, body=body)
    old = open_row(key, note)
    if old.text is None:
        raise fail(f"{old.problem} To replace it, give both a title and a body.",
                   ErrorCode.NOTE_UNREADABLE, "title" if body is not None else "body")
    return NoteText(title=old.text.title if title is None else title,
                    body=old.text.body if body is None else body)


def _text_errors(title: str, body: str) -> list[UserError]:
    return [UserError(problem, field=name)
            for name, problem in (("title", title_problem(title)), ("body", body_problem(body)))
            if problem]


async def _own_note(account: Account, note_id: UUID | None) -> Note:
    note = None
    if note_id is not None:
        note = await Note.get_or_none(id=note_id, author_id=account.id
                                      ).prefetch_related("session")
    if note is None:
        raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "noteId")
    return note


async def _session(account: Account, client_id: UUID, session_id: UUID | None
                   ) -> Session | None:
    """The session a note is linked to: one of the professional's, with this client."""
    if session_id is None:
        return None
    session = await Session.get_or_none(id=session_id, professional_id=account.id,
                                        client_id=client_id)
    if session is None:
        raise session_not_found()
    return session


def session_not_found() -> UserErrors:
    return fail(SESSION_NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "sessionId")


async def require_current_key(account: Account, key: UnlockedNoteKey) -> None:
    """Inside any transaction that stores a sealed note: refuse if the key changed since it
    was unlocked (NOTES_LOCKED), so no note is ever stored sealed to a key nobody holds.

    The conditional UPDATE also takes the key row's lock on PostgreSQL, so a rotation running
    now either finished before (this refuses) or waits for this note and re-seals it too.
    """
    touched = await ProfessionalKeys.filter(
        account_id=account.id, key_version=key.version
    ).update(updated_at=datetime.now(UTC))
    if not touched:
        raise PublicError("Your notes key was changed from another device just now. Sign out "
                          "and sign in again with your password, then save the note again.",
                          ErrorCode.NOTES_LOCKED)
