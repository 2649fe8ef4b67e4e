"""The notes key at a password reset, where the old password is not known.

Without the old password only the recovery key can open the private key. With it, the key is
re-wrapped under the new password and every note stays readable. Without it nobody can open
the old key (not even us, by design), so a new key pair is made: notes written before stay
sealed, new notes work. The old key's recovery wrap is kept (`RetiredNoteKey`), so finding the
recovery key later still restores those notes (resolvers/notes/note_recovery.py).

Losing notes is never silent: while the current key has notes (`notes_at_stake`, which the
reset page asks before the form through `passwordResetPreview`), a reset without the recovery
key is refused unless the person confirmed it (`accept_locked_notes`).

For the password reset use case (owned by the accounts domain), in two steps so the argon2id
work happens before its transaction and a wrong recovery key is a userError before anything is
written:

    prepared = await prepare_note_key_reset(caller, account, new_password=...,
                                            recovery_key=input.note_recovery_key,
                                            accept_locked_notes=input.accept_locked_notes)
    async with in_transaction():
        ...  # the password change itself
        outcome = await apply_note_key_reset(caller, account, prepared)
    # show outcome.message, and outcome.recovery_key once when it is not None;
    # to sign the person in right away: start_session(caller, account,
    #                                                 note_key=outcome.unlocked)
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crypto import note_keys as keys_crypto
from crypto import recovery_keys
from models.accounts import Account
from models.notes import ChallengeNoteKey, Note, ProfessionalKeys, RetiredNoteKey, SessionNoteKey
from resolvers.accounts import note_keys
from resolvers.accounts.note_keys import NewNoteKeys, UnlockedNoteKey
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail

NOTES_KEPT = "Your notes are safe: they open with your new password."
NOTES_LOST = (
    "The notes you wrote before this reset are locked: without their recovery key nobody can "
    "open them, us included. If you find that recovery key later, sign in and use it to "
    "recover your old notes. Notes you write from now on work as before. Write down the new "
    "recovery key shown now and keep it somewhere safe."
)
NOTES_AT_STAKE = (
    "Your notes open only with your password or your notes recovery key. Enter the recovery "
    "key to keep them readable, or confirm that you reset without it: your earlier notes "
    "then stay locked until you find that recovery key."
)


@dataclass(frozen=True, repr=False)
class PreparedNoteKeyReset:
    read_version: int | None
    """The key version this was prepared against; None when the professional had no key."""
    unlocked: UnlockedNoteKey
    accepted_locked_notes: bool = False
    retiring: ProfessionalKeys | None = None
    """The key row read, when a new key pair replaces it: its recovery wrap is kept."""
    rewrap: keys_crypto.PasswordWrap | None = None
    """Set when the recovery key opened the old key: only the password wrap changes."""
    new_keys: NewNoteKeys | None = None
    """Set when a new key pair replaces the old one."""


@dataclass(frozen=True)
class NoteKeyReset:
    notes_kept: bool
    """False when notes written before the reset can no longer be opened."""
    message: str
    """Show it to the person: it says whether their earlier notes can still be opened."""
    recovery_key: str | None
    """A new recovery key to show once (only when a new key pair was made)."""
    unlocked: UnlockedNoteKey = field(repr=False)
    """Pass to `start_session(..., note_key=)` to sign in with notes readable."""


async def notes_at_stake(account: Account) -> bool:
    """Whether a reset without the recovery key would lock notes: the account has a notes key
    and at least one note sealed to it (notes of a key lost earlier are locked already)."""
    if not account.is_professional:
        return False
    stored = await ProfessionalKeys.get_or_none(account_id=account.id)
    return stored is not None and await _has_notes(account, stored.key_version)


async def prepare_note_key_reset(caller: Caller, account: Account, *, new_password: str,
                                 recovery_key: str | None, accept_locked_notes: bool = False,
                                 field: str = "noteRecoveryKey") -> PreparedNoteKeyReset | None:
    """Check the recovery key and wrap the key for the new password; None for non-professionals.

    A mistyped or wrong recovery key is a userError on `field`, so the person can correct it or
    leave it empty on purpose; so is an empty one while notes are at stake and
    `accept_locked_notes` is not set (NOTES_AT_STAKE). Nothing is written here.
    """
    if not account.is_professional:
        return None
    stored = await ProfessionalKeys.get_or_none(account_id=account.id)
    if stored is None:
        new = await note_keys.prepare_new_keys(caller, new_password)
        return PreparedNoteKeyReset(read_version=None, unlocked=new.unlocked, new_keys=new)
    if not (recovery_key or "").strip():
        if not accept_locked_notes and await _has_notes(account, stored.key_version):
            raise fail(NOTES_AT_STAKE, ErrorCode.NOTES_AT_STAKE, field)
        new = await note_keys.prepare_new_keys(caller, new_password,
                                               version=stored.key_version + 1)
        return PreparedNoteKeyReset(read_version=stored.key_version, unlocked=new.unlocked,
                                    new_keys=new, accepted_locked_notes=accept_locked_notes,
                                    retiring=stored)
    try:
        raw = recovery_keys.parse_recovery_key(recovery_key or "")
    except recovery_keys.RecoveryKeyTypoError:
        raise fail("That recovery key has a typo. Compare it group by group with the one you "
                   "wrote down (letters and digits only; dashes and spaces do not matter).",
                   field=field) from None
    try:
        private_key = keys_crypto.unwrap_with_recovery_key(
            stored.recovery_wrapped, raw, public_key=stored.public_key
        )
    except keys_crypto.WrongSecretError:
        raise fail("That recovery key is not the current one for your notes. Use the latest "
                   "one you were given, or leave it empty to reset without it (your earlier "
                   "notes would then stay locked).", ErrorCode.INVALID_CREDENTIALS,
                   field) from None
    wrap = await asyncio.to_thread(keys_crypto.wrap_under_password, private_key, new_password,
                                   note_keys.kdf_limits(caller.settings))
    return PreparedNoteKeyReset(
        read_version=stored.key_version, rewrap=wrap,
        unlocked=UnlockedNoteKey(private_key=private_key, version=stored.key_version),
    )


async def apply_note_key_reset(caller: Caller, account: Account,
                               prepared: PreparedNoteKeyReset | None) -> NoteKeyReset | None:
    """Store the prepared reset inside the password reset's transaction.

    Every key held by a sign-in or a pending challenge is dropped: a reset ends them all.
    A concurrent change of the key (rotation, another reset) is a userError, rolling back; so
    is a note written meanwhile by a sign-in on another device when the person did not accept
    locking notes (the key row's UPDATE waits for that note's transaction on PostgreSQL, see
    `resolvers.notes.notes.require_current_key`, so the count after it sees the note).
    """
    if prepared is None:
        return None
    now = datetime.now(UTC)
    new = prepared.new_keys
    if prepared.read_version is None:
        assert new is not None
        await note_keys.store_new_keys(account, new)
    else:
        if new is not None:
            changes = note_keys.key_pair_fields(new, now)
        else:
            assert prepared.rewrap is not None
            changes = note_keys.password_wrap_fields(prepared.rewrap, now)
        updated = await ProfessionalKeys.filter(
            account_id=account.id, key_version=prepared.read_version
        ).update(**changes)
        if not updated:
            raise fail("Your notes key was changed at the same moment from another device. "
                       "Start the password reset again.", ErrorCode.CONFLICT)
        if (retiring := prepared.retiring) is not None:
            if not prepared.accepted_locked_notes and await _has_notes(account,
                                                                        retiring.key_version):
                raise fail(NOTES_AT_STAKE, ErrorCode.NOTES_AT_STAKE, "noteRecoveryKey")
            await RetiredNoteKey.create(
                account_id=account.id, key_version=retiring.key_version,
                public_key=retiring.public_key, recovery_wrapped=retiring.recovery_wrapped,
                key_created_at=retiring.key_created_at,
            )
    await SessionNoteKey.filter(account_id=account.id).delete()
    await ChallengeNoteKey.filter(account_id=account.id).delete()
    lost = new is not None and prepared.read_version is not None
    await audit.record(caller, "replace_note_key" if new else "recover_note_key",
                       subject_type="account", subject_id=account.id, person_id=account.id,
                       actor_id=account.id)
    return NoteKeyReset(
        notes_kept=not lost, message=NOTES_LOST if lost else NOTES_KEPT,
        recovery_key=new.recovery_key if new else None, unlocked=prepared.unlocked,
    )


async def _has_notes(account: Account, key_version: int) -> bool:
    return await Note.exists(author_id=account.id, key_version=key_version)
