"""Privacy: the exports a person asks for of everything held about them (GDPR Art. 15 and 20)."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class DataExportStatus(StrEnum):
    PENDING = "pending"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class DataExport(Model):
    """One export of a person's data, built in the background and downloaded through a link.

    The ZIP is stored encrypted under a key derived from the link's token, which the database
    never holds (only its hash), so a copy of the database cannot read it. A professional's
    notes key waits here, wrapped under the server key, only until the builder claims the row.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name="data_exports", on_delete=fields.CASCADE
    )
    account_id: UUID
    status = fields.CharEnumField(DataExportStatus, max_length=16,
                                  default=DataExportStatus.PENDING)
    address = fields.CharField(max_length=64, default="")
    """Where it was asked from: the builder's audit entries name the same address."""
    pending_note_key = fields.BinaryField(null=True)
    """The professional's notes key under the server key, erased when the builder claims it."""
    pending_note_key_version = fields.IntField(null=True)
    claimed_until = fields.DatetimeField(null=True)
    """While a builder holds the export; a builder that died lets go when it passes."""
    token_hash = fields.CharField(max_length=64, null=True, unique=True)
    blob = fields.BinaryField(null=True)
    """The encrypted ZIP; erased when the link expires."""
    size_bytes = fields.BigIntField(null=True)
    failure = fields.CharField(max_length=300, default="")
    requested_at = fields.DatetimeField(auto_now_add=True)
    ready_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    downloaded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "data_export"
        indexes = (("account_id", "requested_at"), ("status", "requested_at"))
