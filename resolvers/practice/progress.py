"""Progress figures of engagements, computed by one aggregate query whatever the history's size.

Sessions are never loaded into Python for this: one `GROUP BY engagement, status` query over
scheduling_session gives counts, the first and last session times, the next upcoming start, and
attended sessions per month (one conditional count per month). Month boundaries are computed
here in the viewer's time zone and sent as parameters, so the same SQL runs on SQLite and
PostgreSQL and a session at 23:30 on the 31st counts in the month the viewer lived it. The hub,
the practice and the client profile all use `progress_by_engagement`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.connection import get_connection

from models.scheduling import SessionStatus

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


_MONTH_COLUMNS = ", ".join(
    f"COUNT(CASE WHEN starts_at >= ? AND starts_at < ? THEN id END) AS m{i}"
    for i in range(MONTHS)
)
_SQL = (
    "SELECT engagement_id, status, COUNT(id) AS sessions, MIN(starts_at) AS first, "  # noqa: S608
    "MAX(starts_at) AS last, MIN(CASE WHEN ends_at > ? THEN starts_at END) AS next, "
    f"{_MONTH_COLUMNS} FROM scheduling_session WHERE engagement_id IN ({{ids}}) "
    "GROUP BY engagement_id, status"
)
"""Written out rather than built with the ORM: building this query (13 conditional aggregates)
through Tortoise cost more CPU than running it (BENCHMARKS.md). Only the number of `?`
placeholders varies; every value is a bound parameter (so S608 is a false alarm)."""


def _numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2, ...`."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" if i < len(parts) else part for i, part in enumerate(parts, 1))


async def progress_by_engagement(engagement_ids: Iterable[UUID], *, time_zone: str,
                                 now: datetime | None = None) -> dict[UUID, Progress]:
    """Progress of each engagement in `engagement_ids` (one query; empty ones included)."""
    ids = list(engagement_ids)
    now = now or datetime.now(UTC)
    starts = month_starts(time_zone, now)
    rows: list[dict] = []
    if ids:
        connection = get_connection("default")
        postgres = connection.capabilities.dialect == "postgres"
        sql = _SQL.format(ids=", ".join("?" for _ in ids))
        values: list[object] = [now]
        for i in range(MONTHS):
            values += [starts[i], starts[i + 1]]
        values += ids if postgres else [str(i) for i in ids]
        rows = await connection.execute_query_dict(_numbered(sql) if postgres else sql, values)
    grouped: dict[UUID, dict[SessionStatus, dict]] = {i: {} for i in ids}
    for row in rows:
        grouped[_uuid(row["engagement_id"])][SessionStatus(row["status"])] = row
    local_months = [s.astimezone(ZoneInfo(time_zone)).date() for s in starts[:MONTHS]]
    return {i: _progress(grouped[i], local_months) for i in ids}


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _progress(by_status: dict[SessionStatus, dict], months: list[date]) -> Progress:
    def count(status: SessionStatus) -> int:
        return int(by_status.get(status, {}).get("sessions") or 0)

    attended = by_status.get(SessionStatus.COMPLETED, {})
    first = as_datetime(attended.get("first"))
    last = as_datetime(attended.get("last"))
    n = count(SessionStatus.COMPLETED)
    average = (last - first).total_seconds() / 86_400 / (n - 1) if first and last and n > 1 \
        else None
    upcoming = by_status.get(SessionStatus.SCHEDULED, {})
    return Progress(
        attended=n, cancelled=count(SessionStatus.CANCELLED),
        late_cancelled=count(SessionStatus.LATE_CANCELLED),
        no_shows=count(SessionStatus.NO_SHOW), scheduled=count(SessionStatus.SCHEDULED),
        first_session_at=first, last_session_at=last,
        next_session_at=as_datetime(upcoming.get("next")),
        average_days_between=round(average, 1) if average is not None else None,
        per_month=[MonthCount(month=m, attended=int(attended.get(f"m{i}") or 0))
                   for i, m in enumerate(months)],
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
