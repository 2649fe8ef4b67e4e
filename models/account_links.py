"""Single-use links mailed to an account's owner: confirm the email address, reset the password."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class LinkPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"


class AccountLink(Model):
    """A link sent by email. Only the token's hash is stored, the link exists only in the email."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name="links", on_delete=fields.CASCADE
    )
    account_id: UUID
    purpose = fields.CharEnumField(LinkPurpose, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=254)
    """The address the link was sent to: a confirmation confirms only that address."""
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_link"
        indexes = (("account_id", "purpose"),)
