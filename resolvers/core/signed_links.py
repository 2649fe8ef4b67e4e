"""Signed, expiring links a plain browser tab can open without a bearer token.

A link names what it opens, the account it was given to and an expiry, signed with an HMAC
under the server key; the purpose is signed too, so a receipt link's signature never opens a
calendar file. The signature is the authority, checked in constant time. Each caller still
checks, when the link is opened, that the account may see the thing now.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from settings import Settings


def expiry(minutes: int, *, now: datetime | None = None) -> str:
    """The `expires` value of a link valid for `minutes` from `now` (a Unix time)."""
    return str(int((now or datetime.now(UTC)).timestamp()) + minutes * 60)


def signature(settings: Settings, purpose: str, *parts: str) -> str:
    message = ":".join((purpose, *parts)).encode()
    return hmac.new(settings.secret_key, message, hashlib.sha256).hexdigest()


def genuine(settings: Settings, purpose: str, *parts: str, given: str) -> bool:
    """Whether `given` is this link's signature (the expiry being one of `parts`)."""
    return hmac.compare_digest(signature(settings, purpose, *parts), given)


def expired(expires: str) -> bool:
    """True for an expiry in the past, and for one that is not a Unix time at all."""
    return not expires.isdigit() or int(expires) < datetime.now(UTC).timestamp()
