"""Confirming that a self-registered person owns their email address.

Invitations and password resets prove the address as a side effect (the link was in the
mailbox); self-registration gets its own confirmation link.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from models.account_links import LinkPurpose
from models.accounts import Account
from resolvers.accounts import account_links
from resolvers.core import audit, outbox
from resolvers.core.caller import Caller

_WHAT = "confirmation link"
_AGAIN = "Your address may be confirmed already: sign in to check."


async def send_link(caller: Caller, account: Account) -> None:
    """Mail a confirmation link. Call inside the transaction that creates or changes the email."""
    hours = caller.settings.email_confirmation_hours
    token = await account_links.issue(account, LinkPurpose.CONFIRM_EMAIL, timedelta(hours=hours))
    await outbox.enqueue(
        caller.settings, to=account.email, template="confirm_email", locale=account.locale,
        values={"name": account.name, "days": str(max(1, hours // 24)),
                "link": account_links.url(caller.settings, "confirm-email", token)},
    )


async def confirm_email(caller: Caller, *, token: str) -> Account:
    """Mark the address confirmed. Works without signing in (the link may open on a phone).

    The link confirms only the address it was sent to: after an email change, an old link
    confirms nothing.
    """
    link = await account_links.find(token, LinkPurpose.CONFIRM_EMAIL, what=_WHAT, again=_AGAIN)
    account: Account = link.account
    async with in_transaction():
        await account_links.claim(link, what=_WHAT, again=_AGAIN)
        if account.email == link.email and account.email_confirmed_at is None:
            account.email_confirmed_at = datetime.now(UTC)
            await Account.filter(id=account.id, email=link.email).update(
                email_confirmed_at=account.email_confirmed_at
            )
            await audit.record(caller, "confirm_email", subject_type="account",
                               subject_id=account.id, person_id=account.id,
                               actor_id=account.id)
    return account

