"""Limits on failed sign-ins, per email address and per client address.

Failures are rows in the database, so the limit holds across every app process. While a key is
over its limit even the right password is refused: otherwise the limit would only slow an
attacker down until they guessed right. Attempts made while locked are not counted, so a
locked-out person gets back in when the window passes.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from crypto.tokens import keyed_hash
from models.accounts import LoginFailure
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail


def _keys(caller: Caller, email: str) -> list[tuple[str, int]]:
    settings = caller.settings
    keys = [
        (keyed_hash(settings.secret_key, email, purpose="login-email"),
         settings.login_max_failures_per_account),
    ]
    if caller.address:
        keys.append(
            (keyed_hash(settings.secret_key, caller.address, purpose="login-address"),
             settings.login_max_failures_per_address)
        )
    return keys


async def refuse_if_locked(caller: Caller, email: str) -> None:
    now = datetime.now(UTC)
    window = timedelta(minutes=caller.settings.login_window_minutes)
    keys = _keys(caller, email)
    failures = await LoginFailure.filter(
        key_hash__in=[key for key, _ in keys], at__gte=now - window
    ).values_list("key_hash", "at")
    retry_at: datetime | None = None
    for key, limit in keys:
        times = sorted(at for failed_key, at in failures if failed_key == key)
        if len(times) >= limit:
            unlocks = times[len(times) - limit] + window
            retry_at = unlocks if retry_at is None else max(retry_at, unlocks)
    if retry_at is not None:
        minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
        raise fail(
            f"Too many sign-in attempts. Wait {minutes} minute{'s' * (minutes != 1)} "
            "and try again, or reset your password.",
            ErrorCode.RATE_LIMITED,
        )


async def record_failure(caller: Caller, email: str) -> None:
    now = datetime.now(UTC)
    await LoginFailure.bulk_create(
        [LoginFailure(key_hash=key, at=now) for key, _ in _keys(caller, email)]
    )
    await LoginFailure.filter(
        at__lt=now - timedelta(minutes=caller.settings.login_window_minutes)
    ).delete()


async def clear_for_email(caller: Caller, email: str) -> None:
    await LoginFailure.filter(
        key_hash=keyed_hash(caller.settings.secret_key, email, purpose="login-email")
    ).delete()
