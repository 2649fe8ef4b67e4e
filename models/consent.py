"""Which versions of the terms and the privacy notice each person accepted, and when."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class LegalDocument(StrEnum):
    TERMS = "terms"
    PRIVACY_NOTICE = "privacy_notice"


class Consent(Model):
    """One acceptance of one version of one document, never changed: the history is the proof."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    account_id: UUID
    document = fields.CharEnumField(LegalDocument, max_length=16)
    version = fields.CharField(max_length=64)
    accepted_at = fields.DatetimeField()

    class Meta:
        table = "consent"
        unique_together = (("account", "document", "version"),)
