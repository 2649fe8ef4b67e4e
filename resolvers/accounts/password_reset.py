"""Forgotten passwords: a single-use, short-lived link by email, then a new password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from crypto import passwords
from models.account_links import AccountLink, LinkPurpose
from models.accounts import Account, LoginSession, SecondFactorChallenge
from resolvers.accounts import account_links, login_limits
from resolvers.accounts.accounts import hash_password
from resolvers.accounts.note_key_reset import (
    NoteKeyReset,
    apply_note_key_reset,
    notes_at_stake,
    prepare_note_key_reset,
)
from resolvers.core import audit, outbox
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserErrors, fail
from resolvers.core.validation import email_error, normalise_email

_WHAT = "password reset link"
_AGAIN = "Ask for a new one from the sign-in page."


async def request_password_reset(caller: Caller, *, email: str) -> None:
    """Mail a reset link if the address has an account; the answer is the same either way.

    Same answer for known and unknown addresses: prevents account enumeration, which here would
    reveal that a person is in therapy. The mail goes through the outbox, so SMTP latency does
    not tell them apart either. At most PASSWORD_RESET_MAX_PER_HOUR links an hour per account,
    silently: otherwise this would be a way to flood someone's inbox.
    """
    email = normalise_email(email)
    if error := email_error(email):
        raise fail(error.message, field="email")
    account = await Account.get_or_none(email=email)
    if account is None:
        return
    await mail_reset_link(caller, account, template="password_reset",
                          action="request_password_reset")


async def mail_reset_link(caller: Caller, account: Account, *, template: str, action: str
                          ) -> None:
    """Issue a reset link and mail it with `template`, unless the hourly limit is reached.

    Shared by a forgotten password and by a registration with a taken address, so both count
    against one limit and neither can flood the owner's inbox.
    """
    settings = caller.settings
    now = datetime.now(UTC)
    recent = await AccountLink.filter(
        account_id=account.id, purpose=LinkPurpose.RESET_PASSWORD,
        created_at__gte=now - timedelta(hours=1),
    ).count()
    if recent >= settings.password_reset_max_per_hour:
        return
    async with in_transaction():
        token = await account_links.issue(account, LinkPurpose.RESET_PASSWORD,
                                          timedelta(minutes=settings.password_reset_minutes))
        await outbox.enqueue(
            settings, to=account.email, template=template, locale=account.locale,
            values={"name": account.name, "minutes": str(settings.password_reset_minutes),
                    "link": account_links.url(settings, "reset-password", token)},
        )
        await audit.record(caller, action, subject_type="account", subject_id=account.id,
                           person_id=account.id)


@dataclass(frozen=True)
class ResetPreview:
    valid: bool
    """The link can be used now; false alike for forged, expired and used links."""
    notes_at_stake: bool
    """Resetting without the notes recovery key would lock notes (false when not valid)."""


async def preview_password_reset(token: str) -> ResetPreview:
    """What the reset page needs to know before its form, from the link's token alone.

    Only the holder of the emailed token can ask, and the answer carries nothing about the
    account but whether notes are at stake: no email, no name, no role. Every unusable token
    gets the same answer, whatever the reason, so it tells a forger nothing; the reset itself
    still says why a link failed, to the person who sends a new password with it.
    """
    try:
        link = await account_links.find(token, LinkPurpose.RESET_PASSWORD, what=_WHAT,
                                         again=_AGAIN)
    except UserErrors:
        return ResetPreview(valid=False, notes_at_stake=False)
    return ResetPreview(valid=True, notes_at_stake=await notes_at_stake(link.account))


async def reset_password(caller: Caller, *, token: str, new_password: str,
                         note_recovery_key: str | None = None,
                         accept_locked_notes: bool = False) -> NoteKeyReset | None:
    """Set a new password from a reset link; for a professional, also settle the notes key.

    A weak password, a wrong recovery key, or no recovery key while notes are at stake and
    `accept_locked_notes` is not set, is refused before the link is used, so the person can
    try again with the same link. Returns what became of a professional's notes (None for
    everyone else): kept when the recovery key opened the old key, otherwise a new key pair.
    """
    link = await account_links.find(token, LinkPurpose.RESET_PASSWORD, what=_WHAT, again=_AGAIN)
    account: Account = link.account
    if problem := passwords.password_problem(new_password, email=account.email,
                                             name=account.name):
        raise fail(problem, ErrorCode.WEAK_PASSWORD, "newPassword")
    prepared = await prepare_note_key_reset(caller, account, new_password=new_password,
                                            recovery_key=note_recovery_key,
                                            accept_locked_notes=accept_locked_notes)
    password_hash = await hash_password(caller, new_password)
    async with in_transaction():
        await account_links.claim(link, what=_WHAT, again=_AGAIN)
        await apply_new_password(caller, account, password_hash,
                                 email_proven=link.email == account.email)
        return await apply_note_key_reset(caller, account, prepared)


async def apply_new_password(
    caller: Caller, account: Account, password_hash: str, *, email_proven: bool
) -> None:
    """The core of every password reset; runs inside the reset's transaction.

    Sets the hash, ends every login session and half-finished second-factor sign-in of the
    account (whoever knew the old password is out), voids the other reset links, marks the
    address confirmed when the link proved it, and tells the owner by email. The notes key is
    settled by the caller in the same transaction (`apply_note_key_reset`).
    """
    now = datetime.now(UTC)
    account.password_hash = password_hash
    account.password_changed_at = now
    account.has_password = True
    changed = ["password_hash", "password_changed_at", "has_password"]
    if email_proven and account.email_confirmed_at is None:
        account.email_confirmed_at = now
        changed.append("email_confirmed_at")
    await account.save(update_fields=changed)
    await LoginSession.filter(account_id=account.id, revoked_at=None).update(revoked_at=now)
    await SecondFactorChallenge.filter(account_id=account.id, completed_at=None).update(
        completed_at=now
    )
    await account_links.void_all(account, LinkPurpose.RESET_PASSWORD)
    await login_limits.clear_for_email(caller, account.email)
    await outbox.enqueue(caller.settings, to=account.email, template="password_changed",
                         locale=account.locale, values={"name": account.name})
    await audit.record(caller, "reset_password", subject_type="account", subject_id=account.id,
                       person_id=account.id, actor_id=account.id)
