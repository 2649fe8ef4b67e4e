"""Self-registration that never says whether an address has an account.

Here that fact is health data: it says a person is in therapy. So `register` answers the same
for a new and a taken address, and both branches do the same work (a lookup, an argon2 hash,
one transaction writing a link and an email to the outbox). The form (including the accepted terms
and privacy notice versions, `consents.py`) is checked first, identically. Only the mailbox
learns which:

- a new address gets an unconfirmed account and a confirmation link; the account signs in once
  the link is opened (`signin.login` refuses unconfirmed accounts exactly like a wrong
  password, or register-then-login would tell the two apart);
- a taken address is not touched; its owner is told someone tried to register with it, with a
  password reset link (counted against the reset links' hourly limit, silently).

A professional's notes key is made at the first sign-in, from the password given there
(`signin.login`), so the recovery key is shown to the person who proved the address.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import Account
from resolvers.accounts import consents, email_confirmation, password_reset
from resolvers.accounts.accounts import (
    NewAccount,
    create_account,
    hash_password,
    new_account_errors,
)
from resolvers.core.caller import Caller
from resolvers.core.errors import UserError, check
from resolvers.core.validation import normalise_email


async def register(
    caller: Caller,
    *,
    email: str,
    password: str,
    name: str,
    time_zone: str,
    accepted: consents.AcceptedVersions,
    locale: str = "en",
    as_client: bool = True,
    as_professional: bool = False,
) -> None:
    """Create an unconfirmed account, or tell the address's owner; the caller learns neither."""
    email = normalise_email(email)
    name = name.strip()
    errors = new_account_errors(email=email, password=password, name=name,
                                time_zone=time_zone, locale=locale)
    errors += consents.consent_errors(caller.settings, accepted)
    if not (as_client or as_professional):
        errors.append(UserError("Choose at least one role: client or professional.",
                                field="roles"))
    check(errors)
    existing = await Account.get_or_none(email=email)
    new = NewAccount(email=email, name=name, time_zone=time_zone, locale=locale,
                     password_hash=await hash_password(caller, password))
    if existing is None:
        try:
            async with in_transaction():
                account = await create_account(caller, new, as_client=as_client,
                                               as_professional=as_professional,
                                               email_confirmed=False)
                await consents.record(caller.settings, account)
                await email_confirmation.send_link(caller, account)
            return
        except IntegrityError:
            existing = await Account.get(email=email)
    await password_reset.mail_reset_link(caller, existing, template="registration_attempt",
                                         action="register_taken_email")
