"""Signing in and out: passwords, second-factor challenges and bearer-token login sessions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from crypto import passwords, secrets_at_rest, totp
from crypto.tokens import decode_token, lookup_hash, new_token
from models.accounts import Account, LoginSession, RecoveryCode, SecondFactorChallenge
from resolvers.accounts import known_devices, login_limits, note_keys
from resolvers.core import audit, hand_sql
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.core.validation import normalise_email
from settings import Settings

SESSION_TOKEN = "login-session"
CHALLENGE_TOKEN = "2fa-challenge"
TOTP_PURPOSE = "totp-secret"
_TOUCH_EVERY = timedelta(minutes=1)
_dummy_hashes: dict[int, str] = {}
SIGN_IN_REFUSED = ("That email and password do not match, or the address is not confirmed yet. "
                   "Check both, or open the confirmation link we emailed you (no email? Ask "
                   "for a new password: that link confirms the address too).")


@dataclass(frozen=True)
class SignedIn:
    token: str
    account: Account
    expires_at: datetime
    device_token: str
    """Keeps this browser known to the account (resolvers/accounts/known_devices.py)."""
    note_recovery_key: str | None = None
    """Set when this sign-in made a professional's notes key: shown once, never stored."""


@dataclass(frozen=True)
class SecondFactorNeeded:
    challenge: str
    expires_at: datetime


async def start_session(caller: Caller, account: Account, *,
                        note_key: note_keys.UnlockedNoteKey | None = None,
                        replacing_device: UUID | None = None,
                        strength: str = "password", audit_action: str = "login") -> SignedIn:
    """Create a login session; a professional's unlocked notes key is held for it. The browser
    gets a new device token, which replaces the one it signed in with (`replacing_device`).
    `strength` records how the sign-in was proved (LoginSession.strength)."""
    token = new_token()
    raw = decode_token(token)
    assert raw is not None
    now = datetime.now(UTC)
    expires_at = now + timedelta(hours=caller.settings.session_absolute_hours)
    session = await LoginSession.create(
        account=account,
        token_hash=lookup_hash(raw, purpose=SESSION_TOKEN),
        last_seen_at=now,
        expires_at=expires_at,
        address=caller.address[:64],
        user_agent=caller.user_agent[:300],
        strength=strength,
    )
    if note_key is not None:
        await note_keys.keep_for_session(session, raw, note_key)
    device_token = await known_devices.issue(caller, account, replacing=replacing_device)
    await audit.record(caller, audit_action, subject_type="account", subject_id=account.id,
                       person_id=account.id, actor_id=account.id)
    return SignedIn(token=token, account=account, expires_at=expires_at,
                    device_token=device_token)


async def authenticate(settings: Settings, token: str | None, caller: Caller) -> Caller:
    """Fill the caller from a bearer token; an unknown, revoked or expired token signs no one in.

    The session's last-seen time is written at most once a minute, so reading the hub does not
    turn every request into a write.
    """
    raw = decode_token(token) if token else None
    if raw is None:
        return caller
    session = await _login_session(lookup_hash(raw, purpose=SESSION_TOKEN))
    now = datetime.now(UTC)
    if session is None or session.expires_at <= now:
        return caller
    if session.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= now:
        return caller
    if now - session.last_seen_at >= _TOUCH_EVERY:
        await LoginSession.filter(id=session.id).update(last_seen_at=now)
    caller.account = session.account
    caller.login_session = session
    caller.token_raw = raw
    return caller


def _login_session_sql() -> str:
    """Column names from the models; the token's hash goes in as a parameter."""
    return (f"SELECT {hand_sql.columns(LoginSession, 's')}, "  # noqa: S608
            f"{hand_sql.columns(Account, 'a')} FROM login_session s "
            "JOIN account a ON a.id = s.account_id "
            "WHERE s.token_hash = ? AND s.revoked_at IS NULL")


async def _login_session(token_hash: str) -> LoginSession | None:
    """The live login session with its account. Hand-written: every signed-in request runs
    it (resolvers/core/hand_sql.py)."""
    rows = await hand_sql.fetch(_login_session_sql(), [token_hash])
    if not rows:
        return None
    session = rows.models(LoginSession, "s")[0]
    hand_sql.attach(session, "account", rows.models(Account, "a")[0])
    return session


async def still_signed_in(caller: Caller) -> bool:
    """For a connection that outlives its request (the hubUpdates websocket): whether the login
    session that opened it still stands, not logged out, ended by a password change or reset,
    expired or idle. The connection does not keep the login session alive by itself."""
    if caller.login_session is None:
        return False
    current = await LoginSession.get_or_none(id=caller.login_session.id, revoked_at=None)
    now = datetime.now(UTC)
    idle = timedelta(minutes=caller.settings.session_idle_minutes)
    return current is not None and current.expires_at > now and current.last_seen_at + idle > now


async def _dummy_hash(caller: Caller) -> str:
    """A hash with the current parameters, verified for unknown emails so they take as long."""
    key = id(caller.password_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = await asyncio.to_thread(
            passwords.hash_password, caller.password_hasher, new_token()
        )
    return _dummy_hashes[key]


async def login(caller: Caller, *, email: str, password: str, device_token: str | None = None
                ) -> SignedIn | SecondFactorNeeded:
    """Check a password; unknown emails and wrong passwords get the same answer and timing.

    Same message, same code, and a real argon2 verify for unknown emails: prevents account
    enumeration, which here would reveal that a person is in therapy. A device token of this
    account takes the attempt out of the unknown-device limits and into the device's own
    budget, so strangers' failures cannot lock the owner out (resolvers/accounts/known_devices.py).

    An address not confirmed yet answers like a wrong password: otherwise registering and then
    signing in would tell a new address from a taken one (resolvers/accounts/registration.py).
    A self-registered professional's notes key is made at their first sign-in.
    """
    email = normalise_email(email)
    account = await Account.get_or_none(email=email)
    device = await known_devices.recognise(caller, device_token, account)
    if device is None:
        await login_limits.refuse_if_locked(caller, email)
    stored = account.password_hash if account else await _dummy_hash(caller)
    verification = await asyncio.to_thread(
        passwords.verify_password, caller.password_hasher, stored, password
    )
    if account is None or not verification.ok or account.email_confirmed_at is None:
        async with in_transaction():
            if device is None:
                await login_limits.record_failure(caller, email)
            else:
                await known_devices.record_failure(device)
            await audit.record(caller, "login_failed", subject_type="account",
                               subject_id=account.id if account else None,
                               person_id=account.id if account else None)
        raise fail(SIGN_IN_REFUSED, ErrorCode.INVALID_CREDENTIALS)
    note_key = await note_keys.unlock_with_password(caller, account, password)
    new_keys = None
    if (note_key is None and account.is_professional and not account.second_factor_enabled
            and not await note_keys.has_keys(account)):
        new_keys = await note_keys.prepare_new_keys(caller, password)
        note_key = new_keys.unlocked
    try:
        signed_in = await _sign_in(caller, account, verification.new_hash, note_key, new_keys,
                                   device_id=device.id if device else None,
                                   clear_limits_for=None if device else email)
    except IntegrityError:
        raise fail("You signed in from another device at the same moment. Sign in again.",
                   ErrorCode.CONFLICT) from None
    if new_keys is not None and isinstance(signed_in, SignedIn):
        return replace(signed_in, note_recovery_key=new_keys.recovery_key)
    return signed_in


async def _sign_in(caller: Caller, account: Account, new_hash: str | None,
                   note_key: note_keys.UnlockedNoteKey | None,
                   new_keys: note_keys.NewNoteKeys | None, *, device_id: UUID | None,
                   clear_limits_for: str | None) -> SignedIn | SecondFactorNeeded:
    """The writes of an accepted password, in one transaction: a new notes key is stored only
    with the session that holds it."""
    async with in_transaction():
        if new_hash:
            await Account.filter(id=account.id).update(password_hash=new_hash)
        if clear_limits_for is not None:
            await login_limits.clear_for_email(caller, clear_limits_for)
        if new_keys is not None:
            await note_keys.store_new_keys(account, new_keys)
        if account.second_factor_enabled:
            return await _start_challenge(caller, account, note_key, device_id)
        return await start_session(caller, account, note_key=note_key,
                                   replacing_device=device_id)


async def _start_challenge(caller: Caller, account: Account,
                           note_key: note_keys.UnlockedNoteKey | None,
                           device_id: UUID | None) -> SecondFactorNeeded:
    """The password is not known when the second factor arrives: the notes key waits here."""
    token = new_token()
    raw = decode_token(token)
    assert raw is not None
    expires_at = datetime.now(UTC) + timedelta(
        minutes=caller.settings.second_factor_challenge_minutes
    )
    challenge = await SecondFactorChallenge.create(
        account=account, token_hash=lookup_hash(raw, purpose=CHALLENGE_TOKEN),
        expires_at=expires_at, known_device_id=device_id,
    )
    if note_key is not None:
        await note_keys.keep_for_challenge(challenge, raw, note_key)
    return SecondFactorNeeded(challenge=token, expires_at=expires_at)


async def verify_second_factor(
    caller: Caller, *, challenge: str, code: str | None, recovery_code: str | None
) -> SignedIn:
    """Finish a sign-in with a TOTP code or a one-time recovery code.

    Each acceptance is a conditional UPDATE whose row count is checked, so one code cannot be
    used twice, not even by two requests arriving together (pyotp has no replay protection).
    """
    if bool(code) == bool(recovery_code):
        raise fail("Give either the 6-digit code from your app or one recovery code.",
                   field="code")
    raw = decode_token(challenge)
    found = None
    if raw is not None:
        found = await SecondFactorChallenge.get_or_none(
            token_hash=lookup_hash(raw, purpose=CHALLENGE_TOKEN), completed_at=None
        ).select_related("account")
    settings = caller.settings
    now = datetime.now(UTC)
    if (found is None or found.expires_at <= now
            or found.failed_attempts >= settings.second_factor_max_attempts):
        raise fail("This sign-in has expired. Sign in with your password again.",
                   ErrorCode.CHALLENGE_EXPIRED, field="challenge")
    account = found.account
    async with in_transaction():
        accepted = (
            await accept_totp_code(settings, account, code) if code
            else await _accept_recovery_code(settings, account, recovery_code or "")
        )
        if accepted:
            claimed = await SecondFactorChallenge.filter(
                id=found.id, completed_at=None
            ).update(completed_at=now)
            if claimed:
                assert raw is not None
                note_key = await note_keys.take_from_challenge(found, raw)
                return await start_session(caller, account, note_key=note_key,
                                           replacing_device=found.known_device_id,
                                           strength="second_factor")
    if accepted:
        raise fail("This sign-in has already been completed. Sign in again.",
                   ErrorCode.CHALLENGE_EXPIRED, field="challenge")
    await SecondFactorChallenge.filter(id=found.id).update(
        failed_attempts=F("failed_attempts") + 1
    )
    left = settings.second_factor_max_attempts - found.failed_attempts - 1
    if left <= 0:
        raise fail("Too many wrong codes. Sign in with your password again.",
                   ErrorCode.CHALLENGE_EXPIRED, field="challenge")
    raise fail(f"That code is not valid. {left} attempt{'s' * (left != 1)} left.",
               ErrorCode.INVALID_CODE, field="recoveryCode" if recovery_code else "code")


async def accept_totp_code(settings: Settings, account: Account, code: str) -> bool:
    assert account.totp_secret is not None
    secret = secrets_at_rest.decrypt(
        settings.secret_key, account.totp_secret, purpose=TOTP_PURPOSE
    ).decode()
    step = totp.matching_step(secret, code)
    if step is None:
        return False
    return await accept_totp_step(account, step)


async def accept_totp_step(account: Account, step: int) -> bool:
    """Record a TOTP step as used; False when it (or a later one) was already used."""
    updated = await Account.filter(
        Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step), id=account.id
    ).update(totp_last_step=step)
    return bool(updated)


async def _accept_recovery_code(settings: Settings, account: Account, code: str) -> bool:
    code_hash = totp.recovery_code_hash(settings.secret_key, code)
    used = await RecoveryCode.filter(
        account_id=account.id, code_hash=code_hash, used_at=None
    ).update(used_at=datetime.now(UTC))
    return bool(used)


async def logout(caller: Caller, *, all_devices: bool = False) -> None:
    account = caller.require_account()
    assert caller.login_session is not None
    session_id = None if all_devices else caller.login_session.id
    sessions = (LoginSession.filter(account_id=account.id, revoked_at=None) if all_devices
                else LoginSession.filter(id=session_id))
    async with in_transaction():
        await sessions.update(revoked_at=datetime.now(UTC))
        await note_keys.forget_for_sessions(account.id, session_id)
