"""Limits on failed sign-ins from unknown devices, per email address and per client address.

Failures are counted by the shared rate-limit mechanism (resolvers/core/rate_limits.py), in the
database, so the limit holds across every app process. While a key is over its limit even the
right password is refused: otherwise the limit would only slow an attacker down until they
guessed right. Attempts made while locked are not counted, so a locked-out person gets back in
when the window passes. A known device (resolvers/accounts/known_devices.py) is not held by these
limits: that is what keeps a stranger from locking the owner out.
"""

from __future__ import annotations

from datetime import timedelta

from resolvers.core import rate_limits
from resolvers.core.caller import Caller


def _account_limit(caller: Caller, email: str) -> rate_limits.Limit:
    settings = caller.settings
    return rate_limits.limit(settings, "login-email", email,
                             max_events=settings.login_max_failures_per_account,
                             window=timedelta(minutes=settings.login_window_minutes))


def _limits(caller: Caller, email: str) -> list[rate_limits.Limit]:
    settings = caller.settings
    limits = [_account_limit(caller, email)]
    if caller.address:
        limits.append(rate_limits.limit(
            settings, "login-address", caller.address,
            max_events=settings.login_max_failures_per_address,
            window=timedelta(minutes=settings.login_window_minutes)))
    return limits


async def refuse_if_locked(caller: Caller, email: str) -> None:
    if (moment := await rate_limits.retry_at(_limits(caller, email))) is not None:
        raise rate_limits.too_many(
            f"Too many sign-in attempts. Wait {rate_limits.minutes_until(moment)} "
            "and try again, or reset your password."
        )


async def record_failure(caller: Caller, email: str) -> None:
    await rate_limits.record(_limits(caller, email))


async def clear_for_email(caller: Caller, email: str) -> None:
    await rate_limits.clear(_account_limit(caller, email))
