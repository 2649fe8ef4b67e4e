"""Live sessions: who joined a call and when, and the sealed signals relayed between them.

The media itself never reaches us (peer to peer, DTLS-SRTP); these rows hold attendance,
the participants' public device keys, and signalling blobs that are sealed between those keys.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class ParticipantRole(StrEnum):
    CLIENT = "client"
    PROFESSIONAL = "professional"


class CallParticipant(Model):
    """One participant's attendance of one session: one row per session and account.

    `joined_at` and `left_at` describe the latest join (a reload joins again), so `left_at` is
    null while present. `first_joined_at` stays: the professional's no-show decision and the
    progress counts read it. The signal rate counter lives here so every app process counts
    the same signals (a fixed one-minute window, updated conditionally).
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    """Also the opaque participant id in TURN usernames."""
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "scheduling.Session", related_name=False, on_delete=fields.CASCADE
    )
    session_id: UUID
    account: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    account_id: UUID
    role = fields.CharEnumField(ParticipantRole, max_length=16)
    device_public_key = fields.CharField(max_length=64)
    """base64url (no padding) of the raw 32-byte X25519 key of the device in the call."""
    first_joined_at = fields.DatetimeField()
    joined_at = fields.DatetimeField()
    left_at = fields.DatetimeField(null=True)
    rate_window = fields.DatetimeField(null=True)
    """Start of the minute the signal counter counts."""
    rate_count = fields.IntField(default=0)

    class Meta:
        table = "live_participant"
        unique_together = (("session", "account"),)
        indexes = (("account_id",),)


class Signal(Model):
    """A sealed blob waiting for its recipient: deleted when delivered, or after it expires.

    Only its id travels on the event bus (PostgreSQL NOTIFY payloads are limited to 8,000
    bytes); the listener of the recipient loads it, checks it is addressed to them, and
    deletes it.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "scheduling.Session", related_name=False, on_delete=fields.CASCADE
    )
    session_id: UUID
    sender_id = fields.UUIDField()
    recipient_id = fields.UUIDField()
    payload = fields.TextField()
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "live_signal"
        indexes = (("session_id", "recipient_id", "created_at"),)
