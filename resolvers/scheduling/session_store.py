"""Writing session rows so that two live sessions of one person (as professional or as client)
never overlap, however many bookings race (docs/scheduling.md, "No double booking").

- PostgreSQL: a plain INSERT/UPDATE; the exclusion constraints refuse an overlap with
  IntegrityError, which the use case catches *outside* the failed transaction or savepoint.
  A person who is a professional in one session and a client in another is covered by no
  single constraint: before writing, advisory locks on both people serialise their bookings
  and a query looks for an overlap in either role.
- SQLite: one conditional statement, `INSERT ... SELECT ... WHERE NOT EXISTS (overlap)` (or
  `UPDATE ... WHERE NOT EXISTS`), as the first write of its transaction. SQLite has a single
  writer and the statement takes the write lock before it reads, so nothing slips in between
  its check and its write; 0 rows written means the time is taken. Triggers named like the
  PostgreSQL constraints (scheduling migration 0003) refuse a same-role overlap whoever
  writes the row, so a write that bypasses this module fails the same way.

Either way a lost race, or a refusal by the constraints or triggers, comes out as `SlotTaken`.
Times are UTC whole minutes; on SQLite they are stored as `2026-03-30 08:00:00+00:00`, so
comparing the text compares the instants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models.accounts import Account
from models.scheduling import (
    LIVE_STATUSES,
    ChangeReason,
    Session,
    SessionStatus,
    SessionStatusChange,
)

_LIVE = ", ".join(f"'{status.value}'" for status in LIVE_STATUSES)
# Built from our own constants only; every value is a bound parameter.
_OVERLAP = (
    f"SELECT 1 FROM scheduling_session AS other WHERE other.status IN ({_LIVE}) "  # noqa: S608
    "AND (other.professional_id IN (?, ?) OR other.client_id IN (?, ?)) "
    "AND other.starts_at < ? AND other.ends_at > ?"
)
"""A live session of either participant, in either role (a professional is also someone's
client), that overlaps [start, end). Parameters: professional, client, professional, client,
end, start."""


_OVERLAP_CONSTRAINTS = ("session_professional_no_overlap", "session_client_no_overlap")
"""The PostgreSQL exclusion constraints and the SQLite triggers raise errors naming these."""


class SlotTaken(Exception):
    """Another live session of the professional or the client overlaps this time."""


def _overlap_refused(error: IntegrityError) -> bool:
    """Whether the database refused the write for an overlap (any other integrity error, such
    as a session ending before it starts, is a bug and must not read as a taken slot)."""
    return any(name in str(error) for name in _OVERLAP_CONSTRAINTS)


def _on_sqlite() -> bool:
    return get_connection("default").capabilities.dialect == "sqlite"


async def insert_session(*, buffer: timedelta = timedelta(0), **values: Any) -> Session:
    """Insert a scheduled session; raises `SlotTaken` when the time is taken, or closer than
    `buffer` (the professional's gap between sessions) to another session of either person.

    Call inside a transaction (a savepoint for each occurrence of a series).
    """
    values.setdefault("id", uuid4())
    if not _on_sqlite():
        await _refuse_cross_role_overlap(values["professional_id"], values["client_id"],
                                         values["starts_at"] - buffer,
                                         values["ends_at"] + buffer)
        try:
            return await Session.create(**values)
        except IntegrityError as error:
            if _overlap_refused(error):
                raise SlotTaken from error
            raise
    now = datetime.now(UTC)
    row: dict[str, Any] = {"status": SessionStatus.SCHEDULED.value, "sequence": 0,
                           "created_at": now, "updated_at": now, **values}
    columns = list(row)
    params = [_sql_value(row[c]) for c in columns]
    sql = (
        f"INSERT INTO scheduling_session ({', '.join(columns)}) "
        f"SELECT {', '.join('?' for _ in columns)} WHERE NOT EXISTS ({_OVERLAP})"
    )
    people = [str(row["professional_id"]), str(row["client_id"])]
    try:
        inserted, _ = await get_connection("default").execute_query(sql, [
            *params, *people, *people, row["ends_at"] + buffer, row["starts_at"] - buffer,
        ])
    except IntegrityError as error:
        if _overlap_refused(error):
            raise SlotTaken from error
        raise
    if not inserted:
        raise SlotTaken
    return await Session.get(id=row["id"])


async def move_session(session: Session, starts_at: datetime, ends_at: datetime,
                       reminder_due_at: datetime | None, *,
                       buffer: timedelta = timedelta(0)) -> bool:
    """Move a scheduled session and raise its iCalendar sequence.

    False when it is no longer scheduled (changed meanwhile); `SlotTaken` when the new time
    overlaps another live session.
    """
    now = datetime.now(UTC)
    if not _on_sqlite():
        await _refuse_cross_role_overlap(session.professional_id, session.client_id,
                                         starts_at - buffer, ends_at + buffer,
                                         leave_out=session.id)
        try:
            moved = await Session.filter(id=session.id, status=SessionStatus.SCHEDULED).update(
                starts_at=starts_at, ends_at=ends_at, sequence=session.sequence + 1,
                reminder_due_at=reminder_due_at, updated_at=now)
        except IntegrityError as error:
            if _overlap_refused(error):
                raise SlotTaken from error
            raise
        return bool(moved)
    people = [str(session.professional_id), str(session.client_id)]
    sql = (
        "UPDATE scheduling_session SET starts_at = ?, ends_at = ?, sequence = sequence + 1, "  # noqa: S608
        "reminder_due_at = ?, updated_at = ? WHERE id = ? AND status = ? "
        f"AND NOT EXISTS ({_OVERLAP} AND other.id <> ?)"
    )
    try:
        moved, _ = await get_connection("default").execute_query(sql, [
            starts_at, ends_at, reminder_due_at, now, str(session.id),
            SessionStatus.SCHEDULED.value, *people, *people, ends_at + buffer, starts_at - buffer,
            str(session.id),
        ])
    except IntegrityError as error:
        if _overlap_refused(error):
            raise SlotTaken from error
        raise
    if moved:
        return True
    if await Session.filter(id=session.id, status=SessionStatus.SCHEDULED).exists():
        raise SlotTaken
    return False


async def _refuse_cross_role_overlap(professional_id: UUID, client_id: UUID, starts_at: datetime,
                                     ends_at: datetime, *, leave_out: UUID | None = None
                                     ) -> None:
    """PostgreSQL: the exclusion constraints keep each column free of overlaps, but a person
    can be a professional in one session and a client in another. Inside the caller's
    transaction, lock both people (always in the same order, so two bookings cannot deadlock)
    and look for a live session of either in either role; every booking and move takes the
    same locks, so the check and the write that follows cannot be overtaken."""
    connection = get_connection("default")
    for person in sorted({professional_id, client_id}):
        key = int.from_bytes(person.bytes[:8], "big", signed=True)
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [key])
    people = [professional_id, client_id]
    query = Session.filter(Q(professional_id__in=people) | Q(client_id__in=people),
                           status__in=LIVE_STATUSES, starts_at__lt=ends_at,
                           ends_at__gt=starts_at)
    if leave_out is not None:
        query = query.exclude(id=leave_out)
    if await query.exists():
        raise SlotTaken


async def record_change(session: Session, from_status: SessionStatus | None, *,
                        changed_by: Account | None,
                        reason_code: ChangeReason | None = None) -> None:
    """Append the history row for a change just written (same transaction)."""
    await SessionStatusChange.create(
        session_id=session.id, from_status=from_status, to_status=session.status,
        starts_at=session.starts_at, ends_at=session.ends_at,
        changed_by_id=changed_by.id if changed_by else None, reason_code=reason_code or "",
    )


def _sql_value(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, SessionStatus):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value
