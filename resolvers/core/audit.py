"""Recording to the audit log. Call inside the same transaction as the action it records."""

from __future__ import annotations

from uuid import UUID

from models.audit import AuditEntry
from resolvers.core.caller import Caller


async def record(
    caller: Caller,
    action: str,
    *,
    subject_type: str = "",
    subject_id: UUID | None = None,
    person_id: UUID | None = None,
    actor_id: UUID | None = None,
) -> None:
    await AuditEntry.create(
        actor_id=actor_id or (caller.account.id if caller.account else None),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        person_id=person_id,
        address=caller.address[:64],
    )
