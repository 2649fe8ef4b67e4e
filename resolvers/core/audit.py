"""Recording to the audit log, and checking its chain.

Call `record` inside the same transaction as the action it records: the entry commits or rolls
back with it. Entries are sealed in a single line (`crypto/audit_chain.py`): appending takes
the log's head under a lock held to the end of the transaction (PostgreSQL: an advisory lock;
SQLite runs one write transaction at a time), and the unique sequence refuses a second writer
that got around it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from crypto import audit_chain
from models.audit import AuditEntry
from resolvers.core.caller import Caller
from settings import Settings

_CHAIN_LOCK = 0x61756469
"""The PostgreSQL advisory lock id that serialises appends ('audi')."""

VERIFY_BATCH = 1000


async def record(
    caller: Caller,
    action: str,
    *,
    subject_type: str = "",
    subject_id: UUID | None = None,
    person_id: UUID | None = None,
    actor_id: UUID | None = None,
) -> None:
    async with in_transaction():
        connection = get_connection("default")
        if connection.capabilities.dialect == "postgres":
            await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [_CHAIN_LOCK])
        head = await AuditEntry.all().order_by("-sequence").only("sequence", "seal").first()
        entry = audit_chain.ChainedEntry(
            sequence=head.sequence + 1 if head else 1,
            at=datetime.now(UTC),
            actor_id=actor_id or (caller.account.id if caller.account else None),
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            person_id=person_id,
            address=caller.address[:64],
            previous_seal=head.seal if head else audit_chain.UNSEALED,
        )
        key = audit_chain.chain_key(caller.settings.secret_key)
        await AuditEntry.create(
            sequence=entry.sequence, at=entry.at, actor_id=entry.actor_id, action=entry.action,
            subject_type=entry.subject_type, subject_id=entry.subject_id,
            person_id=entry.person_id, address=entry.address,
            previous_seal=entry.previous_seal, seal=audit_chain.seal(key, entry),
        )


async def verify(settings: Settings) -> audit_chain.Verification:
    """Walk the whole log in sequence order, in batches, and report the first break."""
    walk = audit_chain.ChainWalk(audit_chain.chain_key(settings.secret_key))
    async for batch in _batches():
        if not walk.feed(batch):
            break
    return walk.result()


async def _batches() -> AsyncIterator[list[audit_chain.StoredEntry]]:
    after = 0
    while True:
        rows = await AuditEntry.filter(sequence__gt=after).order_by("sequence").limit(VERIFY_BATCH)
        if not rows:
            return
        yield [_stored(row) for row in rows]
        after = rows[-1].sequence


def _stored(row: AuditEntry) -> audit_chain.StoredEntry:
    return audit_chain.StoredEntry(
        entry=audit_chain.ChainedEntry(
            sequence=row.sequence, at=row.at, actor_id=row.actor_id, action=row.action,
            subject_type=row.subject_type, subject_id=row.subject_id, person_id=row.person_id,
            address=row.address, previous_seal=row.previous_seal,
        ),
        seal=row.seal,
    )
