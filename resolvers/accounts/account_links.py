"""Single-use links mailed to an account's owner (email confirmation, password reset).

The token is 256 random bits that exist only in the email; the database keeps its keyed hash.
Each purpose hashes under its own personalisation, so a confirmation token can never be used
as a reset token. Using a link is a conditional UPDATE whose row count is checked, so a link
works once even when two requests bring it at the same moment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crypto.tokens import decode_token, lookup_hash, new_token
from models.account_links import AccountLink, LinkPurpose
from models.accounts import Account
from resolvers.core.errors import ErrorCode, fail
from settings import Settings

_TOKEN_PURPOSES = {
    LinkPurpose.CONFIRM_EMAIL: "confirm-email",
    LinkPurpose.RESET_PASSWORD: "password-reset",
}


def url(settings: Settings, path: str, token: str) -> str:
    """The SPA link. The token rides in the fragment, which browsers never send to a server,
    so it stays out of access logs and Referer headers."""
    return f"{settings.public_url}/{path}#token={token}"


async def issue(account: Account, purpose: LinkPurpose, lifetime: timedelta) -> str:
    """Store a new link for the account's current email and return its token (to mail)."""
    token = new_token()
    raw = decode_token(token)
    assert raw is not None
    await AccountLink.create(
        account=account, purpose=purpose, email=account.email,
        token_hash=lookup_hash(raw, purpose=_TOKEN_PURPOSES[purpose]),
        expires_at=datetime.now(UTC) + lifetime,
    )
    return token


async def find(token: str, purpose: LinkPurpose, *, what: str, again: str) -> AccountLink:
    """The usable link for a token, with its account; otherwise a userError that says why.

    `what` names the link ("password reset link"), `again` says how to get a new one.
    """
    raw = decode_token(token)
    link = None
    if raw is not None:
        link = await AccountLink.get_or_none(
            token_hash=lookup_hash(raw, purpose=_TOKEN_PURPOSES[purpose]), purpose=purpose
        ).select_related("account")
    if link is None:
        raise fail(f"This {what} is not valid. Check that you opened the whole link from the "
                   f"email. {again}", ErrorCode.INVALID_TOKEN, "token")
    if link.used_at is not None:
        raise fail(f"This {what} has already been used. {again}", ErrorCode.TOKEN_USED, "token")
    if link.expires_at <= datetime.now(UTC):
        raise fail(f"This {what} has expired. {again}", ErrorCode.TOKEN_EXPIRED, "token")
    return link


async def claim(link: AccountLink, *, what: str, again: str) -> None:
    """Mark the link used; fails if another request used it first. Call inside the transaction."""
    now = datetime.now(UTC)
    claimed = await AccountLink.filter(id=link.id, used_at=None, expires_at__gt=now).update(
        used_at=now
    )
    if not claimed:
        raise fail(f"This {what} has already been used. {again}", ErrorCode.TOKEN_USED, "token")


async def void_all(account: Account, purpose: LinkPurpose) -> None:
    """Make every unused link of this kind useless (after a reset, older reset links)."""
    await AccountLink.filter(account_id=account.id, purpose=purpose, used_at=None).update(
        used_at=datetime.now(UTC)
    )
