"""Receipt numbers: 1, 2, 3... per professional, with no gaps and no duplicates.

`next_number` must run inside the transaction that marks the payment paid. It increments the
professional's counter row with one UPDATE: on PostgreSQL that UPDATE locks the row until the
transaction ends, so a concurrent payment waits and then increments the committed value; on
SQLite the single writer serialises them. A transaction that rolls back takes its increment
with it, so no number is skipped. (`select_for_update` is not used: SQLite ignores it.)
"""

from __future__ import annotations

from uuid import UUID, uuid4

from tortoise.expressions import F

from models.payments import ReceiptCounter


async def next_number(professional_id: UUID) -> int:
    """The next receipt number of this professional. Call inside a transaction."""
    # INSERT ... ON CONFLICT DO NOTHING: two first payments at once both try, one row results,
    # and the statement never fails (a failed statement would abort a PostgreSQL transaction).
    await ReceiptCounter.bulk_create(
        [ReceiptCounter(id=uuid4(), professional_id=professional_id, last_number=0)],
        ignore_conflicts=True,
    )
    updated = await ReceiptCounter.filter(professional_id=professional_id).update(
        last_number=F("last_number") + 1
    )
    assert updated == 1, "the counter row exists: it was inserted above"
    return (await ReceiptCounter.get(professional_id=professional_id)).last_number
