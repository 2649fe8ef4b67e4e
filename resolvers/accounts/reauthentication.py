"""Proving it is really the account's owner again, inside a live sign-in, before an action that
hands over everything or cannot be undone (exportMyData, deleteMyAccount).

A stolen bearer token alone must not be enough for those: the password is asked again, and the
second factor's code when it is on. Wrong answers count against the same limits as sign-in, so
this is no side door for guessing a password.
"""

from __future__ import annotations

from models.accounts import Account
from resolvers.accounts import login_limits
from resolvers.accounts.accounts import require_password
from resolvers.accounts.signin import accept_totp_code
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserErrors, fail


async def confirm_identity(caller: Caller, *, password: str, code: str | None) -> Account:
    """The signed-in account, once its password (and code, when two-step sign-in is on) match."""
    account = caller.require_account()
    await login_limits.refuse_if_locked(caller, account.email)
    try:
        await require_password(caller, account, password)
    except UserErrors:
        await login_limits.record_failure(caller, account.email)
        raise
    if not account.second_factor_enabled:
        return account
    if not code:
        raise fail("Two-step sign-in is on: enter the 6-digit code from your app as well.",
                   ErrorCode.INVALID_CODE, "code")
    if not await accept_totp_code(caller.settings, account, code):
        await login_limits.record_failure(caller, account.email)
        raise fail("That code is not valid. Enter the current 6-digit code from your app.",
                   ErrorCode.INVALID_CODE, "code")
    return account
