"""The append-only audit log: who did what to whose data, when and from where.

The database refuses to change or delete entries (triggers, `migrations/append_only.py`), and
each entry is sealed over its fields and the previous entry's seal (`crypto/audit_chain.py`), so
an edit made around the triggers is found by `python app.py verify-audit`.
"""

from __future__ import annotations

from uuid import uuid4

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """Ids, not foreign keys: the trail must outlive the rows it talks about."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    sequence = fields.BigIntField(unique=True)
    """Position in the chain: 1, 2, 3, ... without gaps."""
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor_id = fields.UUIDField(null=True)
    action = fields.CharField(max_length=64)
    subject_type = fields.CharField(max_length=32, default="")
    subject_id = fields.UUIDField(null=True)
    person_id = fields.UUIDField(null=True, db_index=True)
    """Whose personal data the action touched (for a GDPR access report)."""
    address = fields.CharField(max_length=64, default="")
    previous_seal = fields.CharField(max_length=64, default="")
    seal = fields.CharField(max_length=64, default="")
    """HMAC of the fields above; empty only on entries from before the chain existed."""

    class Meta:
        table = "audit_entry"
