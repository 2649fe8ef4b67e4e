"""Rotating a professional's notes key: a new key pair, and every note re-sealed to it.

Everything that makes the new key usable happens in one transaction: the key row changes, every
note is re-sealed, and the old key's copies held by sign-ins are dropped. Either all of it
happens or none, so no note is ever left sealed to a key nobody holds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from crypto import note_keys as keys_crypto
from crypto.notes import NoteError, reseal_note
from models.notes import ChallengeNoteKey, Note, ProfessionalKeys, SessionNoteKey
from resolvers.accounts import note_keys
from resolvers.accounts.accounts import require_password
from resolvers.accounts.note_keys import NewNoteKeys, UnlockedNoteKey
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.notes.note_reading import ids_of

_RESEAL_BATCH = 100
"""Notes held in memory at once while re-sealing (each up to ~200 KB)."""


@dataclass(frozen=True)
class RotatedNoteKey:
    recovery_key: str
    """The new recovery key, shown once; the previous one no longer opens anything."""
    version: int
    notes_resealed: int = 0


async def rotate_note_key(caller: Caller, *, password: str) -> RotatedNoteKey:
    """Make a new key pair and re-seal every note to it; also sets up a missing key.

    The password is asked again: it proves the person is present, unwraps the old key, and
    wraps the new one. Other sign-ins hold the old key, so they must sign in again to read.
    """
    account = caller.require_professional()
    await require_password(caller, account, password)
    stored = await ProfessionalKeys.get_or_none(account_id=account.id)
    if stored is None:
        new = await note_keys.prepare_new_keys(caller, password)
        async with in_transaction():
            await note_keys.store_new_keys(account, new)
            await _hold_only_for_this_session(caller, account.id, new)
            await audit.record(caller, "create_note_key", subject_type="account",
                               subject_id=account.id, person_id=account.id)
        return RotatedNoteKey(recovery_key=new.recovery_key, version=new.unlocked.version)
    try:
        old_private = await asyncio.to_thread(
            keys_crypto.unwrap_with_password, note_keys.password_wrap_of(stored), password,
            public_key=stored.public_key,
        )
    except keys_crypto.WrongSecretError:
        raise fail("Your notes key does not open with your current password. Reset your "
                   "password with your notes recovery key to repair it.",
                   ErrorCode.NOTES_LOCKED) from None
    old = UnlockedNoteKey(private_key=old_private, version=stored.key_version)
    new = await note_keys.prepare_new_keys(caller, password, version=stored.key_version + 1)
    async with in_transaction():
        updated = await ProfessionalKeys.filter(
            id=stored.id, key_version=stored.key_version
        ).update(**note_keys.key_pair_fields(new, datetime.now(UTC)))
        if not updated:
            raise fail("Your notes key was changed from another device just now. "
                       "Try again.", ErrorCode.CONFLICT)
        resealed = await reseal_notes(account.id, old=old, new=new.unlocked)
        await _hold_only_for_this_session(caller, account.id, new)
        await audit.record(caller, "rotate_note_key", subject_type="account",
                           subject_id=account.id, person_id=account.id)
    return RotatedNoteKey(recovery_key=new.recovery_key, version=new.unlocked.version,
                          notes_resealed=resealed)


async def reseal_notes(author_id: UUID, *, old: UnlockedNoteKey, new: UnlockedNoteKey,
                       then: str = "rotate again") -> int:
    """Re-seal every note of `author_id` from the old key to the new one; returns how many.

    Runs inside the rotation's transaction, after the key row's conditional UPDATE, so a note
    being written at the same moment either is already here or waits and is refused (see
    resolvers/notes/notes.py). Notes sealed to an even older key (lost in a reset) stay as they are.
    A note that does not open is refused as a userError, rolling the whole rotation back:
    re-sealing cannot repair it, and rotating past it would make it look lost rather than
    damaged. `then` says what to do after deleting it ("rotate again").
    """
    resealed = 0
    while batch := await Note.filter(author_id=author_id, key_version=old.version
                                     ).limit(_RESEAL_BATCH):
        for note in batch:
            try:
                sealed = reseal_note(note.sealed, old_key=old.private_key,
                                     old_version=old.version, new_public_key=new.public_key,
                                     new_version=new.version, ids=ids_of(note))
            except NoteError:
                raise fail(f"Your note of {note.about_date.isoformat()} is damaged and cannot "
                           f"be re-sealed. Find it in the client's notes, delete it, and "
                           f"{then}.", ErrorCode.NOTE_UNREADABLE) from None
            await Note.filter(id=note.id, key_version=old.version).update(
                sealed=sealed, key_version=new.version
            )
        resealed += len(batch)
    return resealed


async def _hold_only_for_this_session(caller: Caller, account_id: UUID, new: NewNoteKeys
                                      ) -> None:
    """Sign-ins and challenges hold the old key: drop them all, then hold the new one here."""
    await SessionNoteKey.filter(account_id=account_id).delete()
    await ChallengeNoteKey.filter(account_id=account_id).delete()
    if caller.login_session is not None and caller.token_raw is not None:
        await note_keys.keep_for_session(caller.login_session, caller.token_raw, new.unlocked)
