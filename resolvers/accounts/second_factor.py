"""Turning the TOTP second factor on and off."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from crypto import secrets_at_rest, totp
from models.accounts import Account, RecoveryCode
from resolvers.accounts.accounts import require_password
from resolvers.accounts.signin import TOTP_PURPOSE, accept_totp_step
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


async def start_enrolment(caller: Caller, *, password: str) -> Enrolment:
    """Asks for the password: someone at an unlocked device must not lock the owner out."""
    account = caller.require_account()
    await require_password(caller, account, password)
    if account.second_factor_enabled:
        raise fail("Two-step sign-in is already on. Turn it off first to set up a new app.",
                   ErrorCode.ALREADY_ENABLED)
    secret = totp.new_secret()
    account.totp_pending_secret = secrets_at_rest.encrypt(
        caller.settings.secret_key, secret.encode(), purpose=TOTP_PURPOSE
    )
    await account.save(update_fields=["totp_pending_secret"])
    return Enrolment(secret=secret,
                     otpauth_uri=totp.provisioning_uri(secret, account_email=account.email))


async def confirm_enrolment(caller: Caller, *, code: str) -> list[str]:
    """Turn the second factor on once the app shows a valid code; return the recovery codes.

    The codes are shown this once; only their keyed hashes are stored.
    """
    account = caller.require_account()
    if account.second_factor_enabled:
        raise fail("Two-step sign-in is already on.", ErrorCode.ALREADY_ENABLED)
    if account.totp_pending_secret is None:
        raise fail("Start the set-up first (startTotpEnrolment), then enter the code.",
                   ErrorCode.NOT_ENABLED)
    key = caller.settings.secret_key
    secret = secrets_at_rest.decrypt(key, account.totp_pending_secret, purpose=TOTP_PURPOSE)
    step = totp.matching_step(secret.decode(), code)
    if step is None:
        raise fail("That code is not valid. Enter the current 6-digit code from your app.",
                   ErrorCode.INVALID_CODE, "code")
    codes = totp.new_recovery_codes()
    async with in_transaction():
        await Account.filter(id=account.id).update(
            totp_secret=account.totp_pending_secret, totp_pending_secret=None,
            totp_last_step=None,
        )
        await accept_totp_step(account, step)
        await RecoveryCode.filter(account_id=account.id).delete()
        await RecoveryCode.bulk_create(
            [RecoveryCode(account_id=account.id, code_hash=totp.recovery_code_hash(key, c))
             for c in codes]
        )
        await audit.record(caller, "enable_totp", subject_type="account",
                           subject_id=account.id, person_id=account.id)
    await account.refresh_from_db()
    return codes


async def disable(caller: Caller, *, password: str) -> Account:
    account = caller.require_account()
    await require_password(caller, account, password)
    if not account.second_factor_enabled:
        raise fail("Two-step sign-in is not on.", ErrorCode.NOT_ENABLED)
    async with in_transaction():
        await Account.filter(id=account.id).update(
            totp_secret=None, totp_pending_secret=None, totp_last_step=None
        )
        await RecoveryCode.filter(account_id=account.id).delete()
        await audit.record(caller, "disable_totp", subject_type="account",
                           subject_id=account.id, person_id=account.id)
    await account.refresh_from_db()
    return account
