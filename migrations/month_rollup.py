"""The triggers that keep `scheduling_engagement_month` (scheduling migration 0006): attended
sessions per engagement and UTC calendar month, and the first fill from the sessions there.

Like migrations/progress_rollup.py: every insert, delete, and update of a completed session's
status, start or engagement takes the old row out of its bucket and puts the new one in,
inside the writing statement. A viewer's month starts up to 14 hours before or 12 after the
UTC month (every zone's offset today), so a session within 15 hours of a UTC month's start or
end is counted in its own quarter of an hour (`slot`, `YYYY-MM-DDTHH:MM` in UTC; every zone's
offset today is a whole number of quarters); any other in its month alone (`slot` empty).
resolvers/practice/progress.py adds a viewer's month from its UTC month and the quarters
inside it. Months and slots are UTC on both engines (PostgreSQL's `AT TIME ZONE 'UTC'`;
SQLite's `strftime`, which reads a stored offset and answers in UTC). Never change what this
module emits; add a new module for a new migration.
"""

from __future__ import annotations

from typing import Any

TABLE = "scheduling_engagement_month"
EDGE_HOURS = 15
_MONTH = {"postgres": "to_char({at} AT TIME ZONE 'UTC', 'YYYY-MM')",
          "sqlite": "strftime('%Y-%m', {at})"}
_SLOT = {
    "postgres": (
        "CASE WHEN {at} AT TIME ZONE 'UTC' < date_trunc('month', {at} AT TIME ZONE 'UTC') "
        f"+ interval '{EDGE_HOURS} hours' OR {{at}} AT TIME ZONE 'UTC' >= date_trunc('month', "
        f"{{at}} AT TIME ZONE 'UTC') + interval '1 month' - interval '{EDGE_HOURS} hours' "
        "THEN to_char(date_trunc('hour', {at} AT TIME ZONE 'UTC') + floor(extract(minute "
        "FROM {at} AT TIME ZONE 'UTC') / 15) * interval '15 minutes', "
        "'YYYY-MM-DD\"T\"HH24:MI') ELSE '' END"),
    "sqlite": (
        f"CASE WHEN julianday({{at}}) < julianday({{at}}, 'start of month') + {EDGE_HOURS} / "
        f"24.0 OR julianday({{at}}) >= julianday({{at}}, 'start of month', '+1 month') - "
        f"{EDGE_HOURS} / 24.0 THEN strftime('%Y-%m-%dT%H:', {{at}}) || printf('%02d', "
        "CAST(strftime('%M', {at}) AS INTEGER) / 15 * 15) ELSE '' END"),
}
_CHANGED = ("OLD.status {op} NEW.status OR OLD.starts_at {op} NEW.starts_at "
            "OR OLD.engagement_id {op} NEW.engagement_id")


def _bucket(dialect: str, at: str) -> tuple[str, str]:
    return _MONTH[dialect].format(at=at), _SLOT[dialect].format(at=at)


def fill(dialect: str) -> str:
    """The buckets recomputed from the sessions (the table must be empty)."""
    month, slot = _bucket(dialect, "starts_at")
    return (f"INSERT INTO {TABLE} (engagement_id, month, slot, attended) "  # noqa: S608
            f"SELECT engagement_id, {month}, {slot}, COUNT(*) FROM scheduling_session "
            f"WHERE status = 'completed' GROUP BY engagement_id, {month}, {slot}")


def _add(dialect: str, engagement: str, starts_at: str, condition: str = "true") -> str:
    """One more attended session in its bucket, where `condition` (SQL) holds."""
    month, slot = _bucket(dialect, starts_at)
    return (f"INSERT INTO {TABLE} (engagement_id, month, slot, attended) "  # noqa: S608
            f"SELECT {engagement}, {month}, {slot}, 1 WHERE {condition} "
            f"ON CONFLICT (engagement_id, month, slot) "
            f"DO UPDATE SET attended = {TABLE}.attended + 1")


def _take(dialect: str, engagement: str, starts_at: str, condition: str = "true") -> str:
    """One attended session fewer in its bucket (a bucket emptied by hand stays gone)."""
    month, slot = _bucket(dialect, starts_at)
    return (f"UPDATE {TABLE} SET attended = attended - 1 "  # noqa: S608
            f"WHERE engagement_id = {engagement} AND month = {month} AND slot = {slot} "
            f"AND {condition}")


async def create(apps: Any, schema_editor: Any) -> None:
    """A `RunPython` function: the table, its triggers on both engines, the first fill."""
    client = schema_editor.client
    dialect = "postgres" if client.capabilities.dialect == "postgres" else "sqlite"
    key = "uuid" if dialect == "postgres" else "CHAR(36)"
    await client.execute_script(
        f"CREATE TABLE {TABLE} (engagement_id {key} NOT NULL, month CHAR(7) NOT NULL, "
        "slot VARCHAR(16) NOT NULL, attended INT NOT NULL DEFAULT 0, "
        "PRIMARY KEY (engagement_id, month, slot))")
    if dialect == "postgres":
        await client.execute_script(
            f"CREATE FUNCTION {TABLE}_on_session() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF TG_OP <> 'INSERT' AND OLD.status = 'completed' THEN "
            f"{_take(dialect, 'OLD.engagement_id', 'OLD.starts_at')}; END IF; "
            "IF TG_OP <> 'DELETE' AND NEW.status = 'completed' THEN "
            f"{_add(dialect, 'NEW.engagement_id', 'NEW.starts_at')}; END IF; "
            "RETURN NULL; END $$;"
            f"CREATE TRIGGER {TABLE}_on_insert_or_delete AFTER INSERT OR DELETE "
            f"ON scheduling_session FOR EACH ROW EXECUTE FUNCTION {TABLE}_on_session();"
            f"CREATE TRIGGER {TABLE}_on_update AFTER UPDATE OF status, starts_at, "
            f"engagement_id ON scheduling_session FOR EACH ROW "
            f"WHEN ({_CHANGED.format(op='IS DISTINCT FROM')}) "
            f"EXECUTE FUNCTION {TABLE}_on_session();")
    else:
        taken_out = _take(dialect, "OLD.engagement_id", "OLD.starts_at",
                          "OLD.status = 'completed'")
        put_in = _add(dialect, "NEW.engagement_id", "NEW.starts_at",
                      "NEW.status = 'completed'")
        for name, event, statements in (
            ("insert", "INSERT", [put_in]),
            ("delete", "DELETE", [taken_out]),
            ("update", "UPDATE OF status, starts_at, engagement_id", [taken_out, put_in]),
        ):
            when = (f" WHEN {_CHANGED.format(op='IS NOT')}" if name == "update" else "")
            await client.execute_query(
                f'CREATE TRIGGER "{TABLE}_on_{name}" AFTER {event} ON scheduling_session '
                f"FOR EACH ROW{when} BEGIN {'; '.join(statements)}; END")
    await client.execute_query(fill(dialect))
