"""Recovering notes locked by a password reset, with the recovery key found again later.

A reset without the recovery key keeps the replaced key's recovery wrap (`RetiredNoteKey`). The
professional, signed in with their notes key unlocked, gives that old recovery key: it opens
the old private key, and every note sealed to it is re-sealed to the current key in one
transaction. Either every such note opens afterwards or nothing changed; the retired key row
is deleted with the last of its notes, as it protects nothing any more.
"""

from __future__ import annotations

from dataclasses import dataclass

from nacl.public import PrivateKey
from tortoise.transactions import in_transaction

from crypto import note_keys as keys_crypto
from crypto import recovery_keys
from models.notes import ProfessionalKeys, RetiredNoteKey
from resolvers.accounts.note_keys import UnlockedNoteKey, caller_note_key
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.notes.note_key_rotation import reseal_notes
from resolvers.notes.notes import require_current_key

FIELD = "noteRecoveryKey"


@dataclass(frozen=True)
class RecoveredNotes:
    notes_recovered: int
    """How many notes were re-sealed to the current key and open again."""


async def recover_old_notes(caller: Caller, *, recovery_key: str) -> RecoveredNotes:
    """Open the notes of a key lost in a reset with that key's recovery key; re-seal them.

    Needs this sign-in's notes key (NOTES_LOCKED otherwise), since the notes are re-sealed to
    it. A recovery key that opens no retired key is a userError and changes nothing; the
    current key's own recovery key is told apart, since its notes already open. A damaged note
    of the old key is refused as in a rotation (NOTE_UNREADABLE), rolling everything back.
    """
    account = caller.require_professional()
    current = await caller_note_key(caller)
    try:
        raw = recovery_keys.parse_recovery_key(recovery_key)
    except recovery_keys.RecoveryKeyTypoError:
        raise fail("That recovery key has a typo. Compare it group by group with the one you "
                   "wrote down (letters and digits only; dashes and spaces do not matter).",
                   field=FIELD) from None
    opened = [
        (row, UnlockedNoteKey(private_key=private_key, version=row.key_version))
        for row in await RetiredNoteKey.filter(account_id=account.id).order_by("key_version")
        if (private_key := _open(row.recovery_wrapped, raw, row.public_key)) is not None
    ]
    if not opened:
        stored = await ProfessionalKeys.get(account_id=account.id)
        if _open(stored.recovery_wrapped, raw, stored.public_key) is not None:
            raise fail("That is the recovery key of your current notes key: the notes it "
                       "protects already open. Keep it safe.", field=FIELD)
        raise fail("That recovery key does not open any notes key replaced in a password "
                   "reset. Try the one you had before the reset that locked your notes.",
                   ErrorCode.INVALID_CREDENTIALS, FIELD)
    recovered = 0
    async with in_transaction():
        await require_current_key(account, current)
        for row, old in opened:
            recovered += await reseal_notes(account.id, old=old, new=current,
                                            then="recover your old notes again")
            await RetiredNoteKey.filter(id=row.id).delete()
        await audit.record(caller, "recover_old_notes", subject_type="account",
                           subject_id=account.id, person_id=account.id)
    return RecoveredNotes(notes_recovered=recovered)


def _open(wrapped: bytes, raw: bytes, public_key: bytes) -> PrivateKey | None:
    try:
        return keys_crypto.unwrap_with_recovery_key(wrapped, raw, public_key=public_key)
    except keys_crypto.WrongSecretError:
        return None
