"""Known devices: OWASP's device cookies, for an SPA that signs in with bearer tokens.

Every completed sign-in hands the browser a device token (`deviceToken` in the payload) and
replaces the one it came with. A later `login` that carries a valid device token of the same
account skips the limits on unknown devices (per account and per address): a stranger who sends
wrong passwords for someone's email locks out unknown devices, never the owner's own browser.
A known device has its own small budget of wrong passwords; past it the token no longer counts
and the device is limited like any unknown one, so a stolen token buys only a few guesses.
Only the token's hash is stored, bound to one account: another account's token exempts nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.expressions import F

from crypto.tokens import decode_token, lookup_hash, new_token
from models.accounts import Account, KnownDevice
from resolvers.core.caller import Caller

DEVICE_TOKEN = "known-device"


async def recognise(caller: Caller, token: str | None, account: Account | None
                    ) -> KnownDevice | None:
    """The known device this token stands for, if it is valid for this account right now."""
    raw = decode_token(token) if token else None
    if raw is None or account is None:
        return None
    device = await KnownDevice.get_or_none(token_hash=lookup_hash(raw, purpose=DEVICE_TOKEN),
                                           account_id=account.id)
    if (device is None or device.expires_at <= datetime.now(UTC)
            or device.failed_attempts >= caller.settings.login_device_max_failures):
        return None
    return device


async def record_failure(device: KnownDevice) -> None:
    await KnownDevice.filter(id=device.id).update(failed_attempts=F("failed_attempts") + 1)


async def issue(caller: Caller, account: Account, *, replacing: UUID | None = None) -> str:
    """A new device token for the browser that just signed in; the one it came with is dropped,
    and so are this account's expired ones."""
    now = datetime.now(UTC)
    if replacing is not None:
        await KnownDevice.filter(id=replacing, account_id=account.id).delete()
    await KnownDevice.filter(account_id=account.id, expires_at__lte=now).delete()
    token = new_token()
    raw = decode_token(token)
    assert raw is not None
    await KnownDevice.create(
        account=account, token_hash=lookup_hash(raw, purpose=DEVICE_TOKEN),
        expires_at=now + timedelta(days=caller.settings.login_device_days),
    )
    return token
