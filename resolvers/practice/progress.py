"""Progress figures of engagements, read by one query whatever the history's size.

Sessions are never loaded into Python for this. The counts and the first and last attended
starts come from `scheduling_engagement_progress`, which triggers on scheduling_session keep in
the transaction of every booking, move, cancellation, completion and no-show
(migrations/progress_rollup.py); `rebuild_rollups` recomputes it from the sessions. Attended
sessions per UTC month come from `scheduling_engagement_month`, kept the same way
(migrations/month_rollup.py), moved to the viewer's months by the few sessions between the two
starts of each month; the next upcoming start through the index, in the same statement. Month
boundaries are computed here in the viewer's time zone and sent as parameters, so the same SQL
runs on SQLite and PostgreSQL and a session at 23:30 on the 31st counts in the month the viewer
lived it. The hub,
the practice and the client profile all use `progress_by_engagement`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from migrations import month_rollup
from models.scheduling import SessionStatus
from resolvers.core import hand_sql

MONTHS = 12


@dataclass(frozen=True)
class MonthCount:
    month: date
    """The first day of the month, in the viewer's time zone."""
    attended: int


@dataclass(frozen=True)
class Progress:
    attended: int
    """Completed sessions."""
    cancelled: int
    late_cancelled: int
    no_shows: int
    scheduled: int
    """Booked and not yet completed, cancelled or marked a no-show."""
    first_session_at: datetime | None
    """The first attended session's start."""
    last_session_at: datetime | None
    next_session_at: datetime | None
    average_days_between: float | None
    """Mean days from one attended session to the next: (last - first) / (attended - 1)."""
    per_month: list[MonthCount]
    """Attended sessions in each of the last 12 months, oldest first, this month last."""


def month_starts(time_zone: str, now: datetime) -> list[datetime]:
    """The starts of the last 12 months in `time_zone`, plus the start of next month (UTC)."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    year, month = local.year, local.month
    starts = []
    for back in range(MONTHS - 1, -2, -1):
        index = year * 12 + month - 1 - back
        starts.append(datetime(index // 12, index % 12 + 1, 1, tzinfo=zone).astimezone(UTC))
    return starts


def as_datetime(value: datetime | str | None) -> datetime | None:
    """SQLite hands aggregates of datetimes back as text."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_SQL = (
    "SELECT p.engagement_id, p.attended, p.cancelled, p.late_cancelled, p.no_shows, "  # noqa: S608
    "p.scheduled, p.first_attended_at AS first, p.last_attended_at AS last, "
    "(SELECT MIN(s.starts_at) FROM scheduling_session AS s WHERE s.engagement_id = "
    "p.engagement_id AND s.status = 'scheduled' AND s.starts_at >= ? AND s.ends_at > ?) AS next, "
    "months.* FROM scheduling_engagement_progress AS p LEFT JOIN ("
    "SELECT engagement_id AS months_id, "
    + ", ".join(f"SUM(CASE WHEN slot = '' AND month = ? THEN attended ELSE 0 END) AS r{i}"
                for i in range(MONTHS)) + ", "
    + ", ".join(f"SUM(CASE WHEN slot >= ? AND slot < ? THEN attended ELSE 0 END) AS e{i}"
                for i in range(MONTHS))
    + " FROM scheduling_engagement_month WHERE engagement_id IN ({ids}) AND month >= ? "
    "AND month <= ? GROUP BY engagement_id) AS months ON months.months_id = p.engagement_id "
    "WHERE p.engagement_id IN ({ids})"
)
"""Totals from the rollup the database keeps (one row per engagement, scheduling migration
0004); the months from the attended sessions it keeps per UTC month and, near a month's
start or end, per quarter of an hour (migration 0006, `_Months`); the next session through
the (engagement_id, status, starts_at) index. A few dozen rows per engagement, never a year
of sessions, and a statement PostgreSQL plans quickly (it plans it anew for every request).
Written out rather than built with the ORM: building these conditional aggregates through
Tortoise cost more CPU than running them (BENCHMARKS.md). Only the number of `?`
placeholders varies; every value is a bound parameter (so S608 is a false alarm)."""


@dataclass(frozen=True)
class _Months:
    """The viewer's last 12 months in the month rollup's terms: a viewer's month is its UTC
    month's sessions away from the month's edges, plus the edge quarters from the viewer's
    start of the month to the viewer's start of the next (migrations/month_rollup.py)."""

    keys: list[str]
    """The UTC months `YYYY-MM`, oldest first."""
    starts: list[str]
    """The viewer's 13 month starts as slots (`YYYY-MM-DDTHH:MM`, UTC)."""

    @classmethod
    def of(cls, local_starts: list[datetime], months: list[date]) -> _Months:
        return cls(keys=[_key(m.year, m.month) for m in months],
                   starts=[s.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") for s in local_starts])

    def parameters(self) -> tuple[list[object], list[object]]:
        """The months and the slot bounds; the range of UTC months with a slot in them."""
        first, last = self.keys[0], self.keys[-1]
        before = _shifted(first, -1)
        after = _shifted(last, 1)
        bounds: list[object] = [b for i in range(MONTHS) for b in self.starts[i:i + 2]]
        return [*self.keys, *bounds], [before, after]

    @staticmethod
    def counts(row: dict) -> list[int]:
        return [int(row.get(f"r{i}") or 0) + int(row.get(f"e{i}") or 0) for i in range(MONTHS)]


def _key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _shifted(key: str, months: int) -> str:
    index = int(key[:4]) * 12 + int(key[5:]) - 1 + months
    return _key(index // 12, index % 12 + 1)


_REBUILD = (
    "INSERT INTO scheduling_engagement_progress (engagement_id, attended, cancelled, "
    "late_cancelled, no_shows, scheduled, first_attended_at, last_attended_at) "
    "SELECT engagement_id, "
    + ", ".join(f"SUM(CASE WHEN status = '{s.value}' THEN 1 ELSE 0 END)" for s in (
        SessionStatus.COMPLETED, SessionStatus.CANCELLED, SessionStatus.LATE_CANCELLED,
        SessionStatus.NO_SHOW, SessionStatus.SCHEDULED))
    + ", MIN(CASE WHEN status = 'completed' THEN starts_at END), "
    "MAX(CASE WHEN status = 'completed' THEN starts_at END) "
    "FROM scheduling_session GROUP BY engagement_id"
)



async def rebuild_rollups() -> int:
    """Recompute every engagement's totals and months from its sessions (`app.py
    rebuild-progress`), for
    after a restore or a repair by hand. The triggers keep them otherwise. PostgreSQL: writers
    of sessions wait for the rebuild (SHARE lock) so none is counted twice or missed. Answers
    the number of engagements with sessions."""
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            await connection.execute_query("LOCK TABLE scheduling_session IN SHARE MODE")
        await connection.execute_query("DELETE FROM scheduling_engagement_progress")
        await connection.execute_query(_REBUILD)
        await connection.execute_query(f"DELETE FROM {month_rollup.TABLE}")  # noqa: S608
        await connection.execute_query(month_rollup.fill(
            "postgres" if connection.capabilities.dialect == "postgres" else "sqlite"))
        rows = await connection.execute_query_dict(
            "SELECT COUNT(*) AS n FROM scheduling_engagement_progress")
    return int(rows[0]["n"])


async def progress_by_engagement(engagement_ids: Iterable[UUID], *, time_zone: str,
                                 now: datetime | None = None) -> dict[UUID, Progress]:
    """Progress of each engagement in `engagement_ids` (one query; empty ones included)."""
    ids = list(engagement_ids)
    now = now or datetime.now(UTC)
    starts = month_starts(time_zone, now)
    local_months = [s.astimezone(ZoneInfo(time_zone)).date() for s in starts[:MONTHS]]
    months = _Months.of(starts, local_months)
    rows: list[dict] = []
    if ids:
        connection = get_connection("default")
        postgres = connection.capabilities.dialect == "postgres"
        sql = _SQL.format(ids=", ".join("?" for _ in ids))
        keys: list[object] = list(ids) if postgres else [str(i) for i in ids]
        buckets, month_range = months.parameters()
        values = [starts[0], now, *buckets, *keys, *month_range, *keys]
        rows = await connection.execute_query_dict(
            hand_sql.numbered(sql) if postgres else sql, values)
    found = {_uuid(row["engagement_id"]): row for row in rows}
    return {i: _progress(found.get(i, {}), local_months, months) for i in ids}


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _progress(row: dict, months: list[date], counted: _Months) -> Progress:
    def count(column: str) -> int:
        return int(row.get(column) or 0)

    first = as_datetime(row.get("first"))
    last = as_datetime(row.get("last"))
    n = count("attended")
    average = (last - first).total_seconds() / 86_400 / (n - 1) if first and last and n > 1 \
        else None
    return Progress(
        attended=n, cancelled=count("cancelled"), late_cancelled=count("late_cancelled"),
        no_shows=count("no_shows"), scheduled=count("scheduled"),
        first_session_at=first, last_session_at=last,
        next_session_at=as_datetime(row.get("next")),
        average_days_between=round(average, 1) if average is not None else None,
        per_month=[MonthCount(month=m, attended=n)
                   for m, n in zip(months, counted.counts(row), strict=True)],
    )


def combined(parts: list[Progress]) -> Progress:
    """Figures across several engagements, from their own figures (no second query).

    The mean gap is recomputed from the overall first and last attended sessions, which is what
    the mean over the merged sessions is.
    """
    firsts = [p.first_session_at for p in parts if p.first_session_at]
    lasts = [p.last_session_at for p in parts if p.last_session_at]
    nexts = [p.next_session_at for p in parts if p.next_session_at]
    attended = sum(p.attended for p in parts)
    first, last = min(firsts, default=None), max(lasts, default=None)
    average = ((last - first).total_seconds() / 86_400 / (attended - 1)
               if first and last and attended > 1 else None)
    months = parts[0].per_month if parts else []
    return Progress(
        attended=attended, cancelled=sum(p.cancelled for p in parts),
        late_cancelled=sum(p.late_cancelled for p in parts),
        no_shows=sum(p.no_shows for p in parts), scheduled=sum(p.scheduled for p in parts),
        first_session_at=first, last_session_at=last, next_session_at=min(nexts, default=None),
        average_days_between=round(average, 1) if average is not None else None,
        per_month=[MonthCount(month=m.month, attended=sum(p.per_month[i].attended
                                                           for p in parts))
                   for i, m in enumerate(months)],
    )
