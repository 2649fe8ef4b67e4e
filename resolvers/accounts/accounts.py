"""Creating and changing accounts: the new account row, profile, practitioner mode, password.

Self-registration itself is resolvers/accounts/registration.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from crypto import passwords
from models.accounts import Account, LoginSession
from resolvers.accounts import note_keys
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserError, check, fail
from resolvers.core.validation import (
    email_error,
    locale_error,
    name_error,
    time_zone_error,
)


@dataclass(frozen=True)
class NewAccount:
    """A validated registration with its password already hashed."""

    email: str
    name: str
    time_zone: str
    locale: str
    password_hash: str


def new_account_errors(
    *, email: str, password: str, name: str, time_zone: str, locale: str
) -> list[UserError]:
    """Every problem with a registration form at once; email and name must be normalised."""
    errors = [
        e for e in (email_error(email), name_error(name), time_zone_error(time_zone),
                    locale_error(locale)) if e
    ]
    if problem := passwords.password_problem(password, email=email, name=name):
        errors.append(UserError(problem, ErrorCode.WEAK_PASSWORD, "password"))
    return errors


async def hash_password(caller: Caller, password: str) -> str:
    return await asyncio.to_thread(passwords.hash_password, caller.password_hasher, password)


async def create_account(
    caller: Caller,
    new: NewAccount,
    *,
    as_client: bool,
    as_professional: bool,
    email_confirmed: bool,
) -> Account:
    """Insert the account. Call inside a transaction; a taken email raises IntegrityError."""
    account = await Account.create(
        email=new.email, password_hash=new.password_hash, name=new.name,
        time_zone=new.time_zone, locale=new.locale, is_client=as_client,
        is_professional=as_professional,
        email_confirmed_at=datetime.now(UTC) if email_confirmed else None,
    )
    await audit.record(caller, "register", subject_type="account", subject_id=account.id,
                       person_id=account.id, actor_id=account.id)
    return account


async def update_profile(
    caller: Caller,
    *,
    name: str | None = None,
    time_zone: str | None = None,
    locale: str | None = None,
) -> Account:
    account = caller.require_account()
    changes: dict[str, str] = {}
    errors: list[UserError | None] = []
    if name is not None:
        changes["name"] = name.strip()
        errors.append(name_error(changes["name"]))
    if time_zone is not None:
        changes["time_zone"] = time_zone
        errors.append(time_zone_error(time_zone))
    if locale is not None:
        changes["locale"] = locale
        errors.append(locale_error(locale))
    check([e for e in errors if e])
    if changes:
        account.update_from_dict(changes)
        await account.save(update_fields=list(changes))
    return account


@dataclass(frozen=True)
class BecameProfessional:
    account: Account
    note_recovery_key: str | None = None
    """Set when a notes key was made now: shown once, never stored."""


async def become_professional(caller: Caller, *, password: str) -> BecameProfessional:
    """Turn on practitioner mode and make the notes key.

    The password is asked again: it is a change of privilege, and the notes key is wrapped
    under it. This sign-in can open notes right away.
    """
    account = caller.require_account()
    await require_password(caller, account, password)
    new_keys = (None if await note_keys.has_keys(account)
                else await note_keys.prepare_new_keys(caller, password))
    if account.is_professional and new_keys is None:
        return BecameProfessional(account=account)
    try:
        async with in_transaction():
            account.is_professional = True
            await account.save(update_fields=["is_professional"])
            if new_keys is not None:
                await note_keys.store_new_keys(account, new_keys)
                if caller.login_session is not None and caller.token_raw is not None:
                    await note_keys.keep_for_session(caller.login_session, caller.token_raw,
                                                     new_keys.unlocked)
            await audit.record(caller, "become_professional", subject_type="account",
                               subject_id=account.id, person_id=account.id)
    except IntegrityError:
        raise fail("Practitioner mode was just turned on from another device. Reload to see "
                   "it.", ErrorCode.CONFLICT) from None
    return BecameProfessional(account=account,
                              note_recovery_key=new_keys.recovery_key if new_keys else None)


async def change_password(caller: Caller, *, current_password: str, new_password: str) -> Account:
    """Set a new password and sign out every other device of the account.

    A professional's notes key is re-wrapped under the new password in the same transaction:
    notes stay readable here, and the signed-out devices lose their copy of the key.
    """
    account = caller.require_account()
    await require_password(caller, account, current_password, field="currentPassword")
    if problem := passwords.password_problem(new_password, email=account.email,
                                             name=account.name):
        raise fail(problem, ErrorCode.WEAK_PASSWORD, "newPassword")
    new_hash = await hash_password(caller, new_password)
    rewrap = await note_keys.rewrap_for_new_password(
        caller, account, current_password=current_password, new_password=new_password
    )
    now = datetime.now(UTC)
    async with in_transaction():
        account.password_hash = new_hash
        account.password_changed_at = now
        await account.save(update_fields=["password_hash", "password_changed_at"])
        current = caller.login_session.id if caller.login_session else None
        await LoginSession.filter(account_id=account.id, revoked_at=None).exclude(
            id=current
        ).update(revoked_at=now)
        await note_keys.save_password_rewrap(caller, account, rewrap)
        await audit.record(caller, "change_password", subject_type="account",
                           subject_id=account.id, person_id=account.id)
    return account


async def require_password(
    caller: Caller, account: Account, password: str, *, field: str = "password"
) -> None:
    verification = await asyncio.to_thread(
        passwords.verify_password, caller.password_hasher, account.password_hash, password
    )
    if not verification.ok:
        raise fail("That password is not right.", ErrorCode.INVALID_CREDENTIALS, field)
