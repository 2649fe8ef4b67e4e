"""Counted actions for rate limits: sign-in failures, emails sent on someone's request.

One row per counted action, keyed by a keyed hash of what is limited (an email, an address, an
account and the action's name), so no address or email is stored readable. Rows in the database,
not in memory, so a limit holds across every app process.
"""

from __future__ import annotations

from uuid import uuid4

from tortoise import fields
from tortoise.models import Model


class RateLimitEvent(Model):
    """One counted action, under the keyed hash of what it is counted against."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    key_hash = fields.CharField(max_length=64, db_index=True)
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "rate_limit_event"
