"""Linking an eID to a signed-in account, and unlinking it (docs/eid.md).

Linking needs the password again (reauthentication.confirm_identity) and an attempt this
account started, so a stolen bearer token cannot attach the thief's eID to someone's account.
Unlinking is refused when it would leave the account with no way to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import ExternalIdentity
from resolvers.accounts import external_identities
from resolvers.accounts.reauthentication import confirm_identity
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from settings import Settings


@dataclass(frozen=True)
class LinkedIdentity:
    provider_id: str
    provider_name: str
    linked_at: datetime
    last_used_at: datetime | None


def _shown(settings: Settings, identity: ExternalIdentity) -> LinkedIdentity:
    provider = settings.oidc_provider(identity.provider)
    return LinkedIdentity(provider_id=identity.provider,
                          provider_name=provider.name if provider else identity.provider,
                          linked_at=identity.created_at, last_used_at=identity.last_used_at)


async def linked(caller: Caller) -> list[LinkedIdentity]:
    """The signed-in account's eIDs (never their national identifiers)."""
    account = caller.require_account()
    rows = await ExternalIdentity.filter(account_id=account.id).order_by("created_at")
    return [_shown(caller.settings, row) for row in rows]


async def link(caller: Caller, *, code: str | None, state: str, error: str | None,
               password: str, totp_code: str | None) -> LinkedIdentity:
    account = await confirm_identity(caller, password=password, code=totp_code)
    redeemed = await external_identities.redeem(caller, code=code, state=state, error=error,
                                                for_account=account)
    settings = caller.settings
    hashed = redeemed.national_id_hash(settings)
    taken = await ExternalIdentity.get_or_none(provider=redeemed.provider.id,
                                               national_id_hash=hashed)
    if taken is not None and taken.account_id == account.id:
        return _shown(settings, taken)
    if taken is not None:
        raise fail("This eID is linked to another account. Sign in there with it and unlink "
                   "it first.", ErrorCode.CONFLICT, "code")
    if await ExternalIdentity.exists(account_id=account.id, provider=redeemed.provider.id):
        raise fail(f"Another {redeemed.provider.name} eID is linked to this account. Unlink it "
                   "first.", ErrorCode.CONFLICT, "provider")
    try:
        async with in_transaction():
            row = await ExternalIdentity.create(
                account=account, provider=redeemed.provider.id, national_id_hash=hashed,
                national_id_encrypted=external_identities.encrypt_national_id(
                    settings, redeemed.identity.national_id),
            )
            await audit.record(caller, "external_identity_linked", subject_type="account",
                               subject_id=account.id, person_id=account.id)
    except IntegrityError:
        raise fail("This eID was linked a moment ago. Reload to see it.",
                   ErrorCode.CONFLICT, "code") from None
    return _shown(settings, row)


async def unlink(caller: Caller, *, provider_id: str) -> None:
    account = caller.require_account()
    identities = await ExternalIdentity.filter(account_id=account.id)
    target = next((i for i in identities if i.provider == provider_id), None)
    if target is None:
        raise fail("No eID of that provider is linked to this account.",
                   ErrorCode.NOT_FOUND, "provider")
    if not account.has_password and len(identities) == 1:
        raise fail("This eID is the only way to sign in to the account. Set a password first "
                   "(ask for a password reset link), then unlink it.",
                   ErrorCode.NOT_ALLOWED, "provider")
    async with in_transaction():
        await ExternalIdentity.filter(id=target.id).delete()
        await audit.record(caller, "external_identity_unlinked", subject_type="account",
                           subject_id=account.id, person_id=account.id)
