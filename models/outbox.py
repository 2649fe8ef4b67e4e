"""Outgoing email, written in the same transaction as the change that causes it."""

from __future__ import annotations

from enum import StrEnum
from uuid import uuid4

from tortoise import fields
from tortoise.models import Model


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Model):
    """One email to send, with its delivery state.

    The content (recipient, subject, bodies) is encrypted under the server key, because it
    carries single-use links and says who is whose client. It is erased once sent.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    template = fields.CharField(max_length=64)
    content = fields.BinaryField(null=True)
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    """While a sender holds the message; a sender that died mid-send lets go when it passes."""
    last_error = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    dedupe_key = fields.CharField(max_length=128, null=True, unique=True)
    """Set for messages that must go out at most once (a session reminder): a second enqueue
    with the same key fails on the unique constraint, whichever process tries."""

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)
