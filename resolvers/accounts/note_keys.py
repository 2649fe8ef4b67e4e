"""The professional's notes key: created, unlocked at sign-in, held per session, re-wrapped.

Flow (see docs/SECURITY.md for what it protects against):

- becoming a professional (register, becomeProfessional) makes a key pair, wraps the private key
  under the password and under a new recovery key shown once (`prepare_new_keys`,
  `store_new_keys`);
- a sign-in unwraps it with the password (`unlock_with_password`) and keeps it for that session
  only, wrapped under a key derived from the bearer token (`keep_for_session`); with a second
  factor it waits under the challenge token (`keep_for_challenge`, `take_from_challenge`);
- each request that reads notes unwraps it with the caller's token (`caller_note_key`);
- a password change re-wraps it (`rewrap_for_new_password`, `save_password_rewrap`); no note is
  re-encrypted.

argon2id work runs in a worker thread and before any transaction, so a transaction never holds
the database while the CPU is busy.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from nacl.public import PrivateKey

from crypto import note_keys as keys_crypto
from crypto import recovery_keys
from crypto.tokens import derive_key
from models.accounts import Account, LoginSession, SecondFactorChallenge
from models.notes import ChallengeNoteKey, ProfessionalKeys, SessionNoteKey
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, PublicError, fail
from settings import Settings

log = logging.getLogger("therapyhub.notes")

SESSION_KEY_PURPOSE = "note-key-session"
CHALLENGE_KEY_PURPOSE = "note-key-2fa"


@dataclass(frozen=True, repr=False)
class UnlockedNoteKey:
    """The private key in memory for the current request only; never stored like this."""

    private_key: PrivateKey
    version: int

    @property
    def public_key(self) -> bytes:
        return keys_crypto.public_key_of(self.private_key)


@dataclass(frozen=True)
class SealingKey:
    """What writing a note needs: anyone holding the public key can seal, nobody else reads."""

    public_key: bytes
    version: int


@dataclass(frozen=True, repr=False)
class NewNoteKeys:
    """A fresh key pair already wrapped, made outside any transaction and stored inside one."""

    unlocked: UnlockedNoteKey
    password_wrap: keys_crypto.PasswordWrap
    recovery_wrapped: bytes
    recovery_key: str
    """Formatted for writing down; returned to the person once and never stored."""


@dataclass(frozen=True, repr=False)
class PasswordRewrap:
    version: int
    password_wrap: keys_crypto.PasswordWrap


def kdf_limits(settings: Settings) -> keys_crypto.KdfLimits:
    """The same argon2id cost as password hashing: one knob, checked against OWASP in settings."""
    return keys_crypto.KdfLimits(ops=settings.argon2_time_cost,
                                 mem_bytes=settings.argon2_memory_kib * 1024)


async def prepare_new_keys(caller: Caller, password: str, *, version: int = 1) -> NewNoteKeys:
    private_key = keys_crypto.new_private_key()
    recovery_key = recovery_keys.new_recovery_key()
    password_wrap = await asyncio.to_thread(
        keys_crypto.wrap_under_password, private_key, password, kdf_limits(caller.settings)
    )
    return NewNoteKeys(
        unlocked=UnlockedNoteKey(private_key=private_key, version=version),
        password_wrap=password_wrap,
        recovery_wrapped=keys_crypto.wrap_under_recovery_key(private_key, recovery_key),
        recovery_key=recovery_keys.format_recovery_key(recovery_key),
    )


def key_pair_fields(new: NewNoteKeys, now: datetime) -> dict[str, Any]:
    """The ProfessionalKeys columns for a new key pair (create, rotate, reset)."""
    return {
        "key_version": new.unlocked.version,
        "public_key": new.unlocked.public_key,
        "recovery_wrapped": new.recovery_wrapped,
        "key_created_at": now,
        **password_wrap_fields(new.password_wrap, now),
    }


def password_wrap_fields(wrap: keys_crypto.PasswordWrap, now: datetime) -> dict[str, Any]:
    return {
        "password_wrapped": wrap.wrapped,
        "password_salt": wrap.salt,
        "kdf_ops_limit": wrap.limits.ops,
        "kdf_mem_limit": wrap.limits.mem_bytes,
        "password_wrapped_at": now,
    }


async def store_new_keys(account: Account, new: NewNoteKeys) -> None:
    """Create the professional's key row; call inside the transaction that makes them one."""
    await ProfessionalKeys.create(account_id=account.id,
                                  **key_pair_fields(new, datetime.now(UTC)))


async def has_keys(account: Account) -> bool:
    return await ProfessionalKeys.exists(account_id=account.id)


async def unlock_with_password(caller: Caller, account: Account, password: str
                               ) -> UnlockedNoteKey | None:
    """Unwrap a professional's key at sign-in; None for anyone without one.

    When the stored argon2id limits are older than the current settings, the key is re-wrapped
    with the current ones (like a password rehash), so raising the limits needs no migration.
    """
    unwrapped = await _unwrap_with_password(account, password)
    if unwrapped is None:
        return None
    stored, private_key = unwrapped
    limits = kdf_limits(caller.settings)
    if limits != keys_crypto.KdfLimits(ops=stored.kdf_ops_limit, mem_bytes=stored.kdf_mem_limit):
        wrap = await asyncio.to_thread(keys_crypto.wrap_under_password, private_key, password,
                                       limits)
        await ProfessionalKeys.filter(
            id=stored.id, key_version=stored.key_version, password_salt=stored.password_salt
        ).update(**password_wrap_fields(wrap, datetime.now(UTC)))
    return UnlockedNoteKey(private_key=private_key, version=stored.key_version)


async def keep_for_session(session: LoginSession, token_raw: bytes, key: UnlockedNoteKey
                           ) -> None:
    """Hold the key for this login session, readable only with the session's bearer token."""
    await SessionNoteKey.create(
        login_session_id=session.id, account_id=session.account_id, key_version=key.version,
        wrapped=keys_crypto.wrap_under_session_key(
            key.private_key, derive_key(token_raw, purpose=SESSION_KEY_PURPOSE)
        ),
    )


async def keep_for_challenge(challenge: SecondFactorChallenge, token_raw: bytes,
                             key: UnlockedNoteKey) -> None:
    await ChallengeNoteKey.create(
        challenge_id=challenge.id, account_id=challenge.account_id, key_version=key.version,
        wrapped=keys_crypto.wrap_under_session_key(
            key.private_key, derive_key(token_raw, purpose=CHALLENGE_KEY_PURPOSE)
        ),
    )


async def take_from_challenge(challenge: SecondFactorChallenge, token_raw: bytes
                              ) -> UnlockedNoteKey | None:
    """The key that waited with a completed challenge, removed from it; None if there is none."""
    held = await ChallengeNoteKey.get_or_none(challenge_id=challenge.id)
    if held is None:
        return None
    await ChallengeNoteKey.filter(id=held.id).delete()
    return await _unwrap_held(challenge.account_id, held.key_version, held.wrapped,
                              derive_key(token_raw, purpose=CHALLENGE_KEY_PURPOSE))


async def forget_for_sessions(account_id: UUID, session_id: UUID | None = None) -> None:
    """Drop the held key of one session, or of every session of the account (logout)."""
    held = SessionNoteKey.filter(account_id=account_id)
    await (held.filter(login_session_id=session_id) if session_id else held).delete()


async def caller_note_key(caller: Caller) -> UnlockedNoteKey:
    """The private key for this request, unwrapped with the caller's bearer token.

    Raises a NOTES_LOCKED PublicError when this sign-in holds no usable key: it started before
    the key existed, or another device rotated or reset the key since. Signing in again with
    the password unlocks it. Call it once per request and pass the key along.
    """
    account = caller.require_professional()
    stored = await ProfessionalKeys.get_or_none(account_id=account.id)
    if stored is None:
        raise _not_set_up()
    session, token_raw = caller.login_session, caller.token_raw
    held = (await SessionNoteKey.get_or_none(login_session_id=session.id)
            if session is not None and token_raw is not None else None)
    if held is None or held.key_version != stored.key_version:
        raise _locked()
    assert token_raw is not None
    try:
        private_key = keys_crypto.unwrap_with_session_key(
            held.wrapped, derive_key(token_raw, purpose=SESSION_KEY_PURPOSE),
            public_key=stored.public_key,
        )
    except keys_crypto.WrongSecretError:
        raise _locked() from None
    return UnlockedNoteKey(private_key=private_key, version=stored.key_version)


async def sealing_key(account: Account) -> SealingKey:
    """The public key and version new notes of this professional are sealed to."""
    stored = await ProfessionalKeys.get_or_none(account_id=account.id)
    if stored is None:
        raise _not_set_up()
    return SealingKey(public_key=stored.public_key, version=stored.key_version)


async def rewrap_for_new_password(caller: Caller, account: Account, *, current_password: str,
                                  new_password: str) -> PasswordRewrap | None:
    """Re-wrap the key under a new password (call before the transaction; argon2id twice).

    Only the wrap changes: the key pair, and so every sealed note, stays as it is.
    """
    unwrapped = await _unwrap_with_password(account, current_password)
    if unwrapped is None:
        return None
    stored, private_key = unwrapped
    wrap = await asyncio.to_thread(keys_crypto.wrap_under_password, private_key, new_password,
                                   kdf_limits(caller.settings))
    return PasswordRewrap(version=stored.key_version, password_wrap=wrap)


async def save_password_rewrap(caller: Caller, account: Account,
                               rewrap: PasswordRewrap | None) -> None:
    """Store the new wrap inside the password change's transaction.

    Refuses (rolling the password change back) when the key changed since it was read, so the
    stored wrap can never belong to a key pair that is no longer current. Keys held by the
    account's other sessions are dropped with those sessions.
    """
    if rewrap is not None:
        updated = await ProfessionalKeys.filter(
            account_id=account.id, key_version=rewrap.version
        ).update(**password_wrap_fields(rewrap.password_wrap, datetime.now(UTC)))
        if not updated:
            raise fail("Your notes key was changed from another device just now. "
                       "Try changing the password again.", ErrorCode.CONFLICT)
    others = SessionNoteKey.filter(account_id=account.id)
    if caller.login_session is not None:
        others = others.exclude(login_session_id=caller.login_session.id)
    await others.delete()


def password_wrap_of(stored: ProfessionalKeys) -> keys_crypto.PasswordWrap:
    return keys_crypto.PasswordWrap(
        wrapped=stored.password_wrapped, salt=stored.password_salt,
        limits=keys_crypto.KdfLimits(ops=stored.kdf_ops_limit, mem_bytes=stored.kdf_mem_limit),
    )


async def _unwrap_held(account_id: UUID, version: int, wrapped: bytes, kek: bytes
                       ) -> UnlockedNoteKey | None:
    stored = await ProfessionalKeys.get_or_none(account_id=account_id)
    if stored is None or stored.key_version != version:
        return None
    try:
        private_key = keys_crypto.unwrap_with_session_key(wrapped, kek,
                                                          public_key=stored.public_key)
    except keys_crypto.WrongSecretError:
        return None
    return UnlockedNoteKey(private_key=private_key, version=version)


def _locked() -> PublicError:
    return PublicError("Your notes are locked in this sign-in. Sign out and sign in again "
                       "with your password to open them.", ErrorCode.NOTES_LOCKED)


def _not_set_up() -> PublicError:
    return PublicError("Your notes key is not set up yet: create it with rotateNoteKey "
                       "(your password is asked).", ErrorCode.NOTES_LOCKED)


async def _unwrap_with_password(
    account: Account, password: str
) -> tuple[ProfessionalKeys, PrivateKey] | None:
    """The stored keys and the private key, or None for an account without a notes key.

    A wrap that does not open with the account's correct password means a bug or damage: it is
    logged, and the sign-in or password change goes on (only the recovery key can repair it).
    """
    if not account.is_professional:
        return None
    stored = await ProfessionalKeys.get_or_none(account_id=account.id)
    if stored is None:
        return None
    try:
        private_key = await asyncio.to_thread(
            keys_crypto.unwrap_with_password, password_wrap_of(stored), password,
            public_key=stored.public_key,
        )
    except keys_crypto.WrongSecretError:
        log.error("Notes key of account %s does not open with its password", account.id)
        return None
    return stored, private_key
