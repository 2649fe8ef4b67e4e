"""The triggers that keep `scheduling_engagement_progress` (scheduling migration 0004), and the
first fill from the sessions already there.

Every insert, delete, and update of a session's status, start or engagement takes the old row
out of its engagement's totals and puts the new one in, inside the writing statement, so the
totals can never disagree with the sessions whoever writes them (the use cases, a bulk load, an
erasure). Counts move by one; the first and last attended starts are looked up again through
the (engagement_id, status, starts_at) index only when a completed session is involved, so a
write costs the same however long the history. Statuses are written as literals: applied
migrations must not change when the models do. Never change what this module emits; add a new
module for a new migration.
"""

from __future__ import annotations

from typing import Any

TABLE = "scheduling_engagement_progress"
_COUNTS = (("attended", "completed"), ("cancelled", "cancelled"),
           ("late_cancelled", "late_cancelled"), ("no_shows", "no_show"),
           ("scheduled", "scheduled"))
_EXTREMES = (("first_attended_at", "MIN"), ("last_attended_at", "MAX"))

FILL = (
    f"INSERT INTO {TABLE} (engagement_id, {', '.join(c for c, _ in _COUNTS)}, "
    f"{', '.join(c for c, _ in _EXTREMES)}) SELECT engagement_id, "
    + ", ".join(f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END)" for _, s in _COUNTS) + ", "
    + ", ".join(f"{f}(CASE WHEN status = 'completed' THEN starts_at END)" for _, f in _EXTREMES)
    + " FROM scheduling_session GROUP BY engagement_id"
)
"""The totals recomputed from the sessions (the table must be empty)."""


def _apply(engagement: str, status: str, delta: str) -> list[str]:
    """Statements adding `delta` sessions of `status` to `engagement` (SQL expressions). Only
    an addition makes the row; taking away from a row that is gone (emptied by hand) is a no-op,
    never a negative count."""
    counts = ", ".join(f"{column} = {column} + CASE WHEN {status} = '{value}' THEN {delta} "
                       "ELSE 0 END" for column, value in _COUNTS)
    extremes = ", ".join(
        f"{column} = CASE WHEN {status} = 'completed' THEN (SELECT {f}(s.starts_at) "
        f"FROM scheduling_session AS s WHERE s.engagement_id = {engagement} "
        f"AND s.status = 'completed') ELSE {column} END" for column, f in _EXTREMES)
    update = f"UPDATE {TABLE} SET {counts}, {extremes} WHERE engagement_id = {engagement}"
    if delta.startswith("-"):
        return [update]
    return [
        f"INSERT INTO {TABLE} (engagement_id, {', '.join(c for c, _ in _COUNTS)}) "
        f"VALUES ({engagement}, 0, 0, 0, 0, 0) ON CONFLICT (engagement_id) DO NOTHING",
        update,
    ]


_CHANGED = ("OLD.status {op} NEW.status OR OLD.starts_at {op} NEW.starts_at "
            "OR OLD.engagement_id {op} NEW.engagement_id")


async def create_triggers(apps: Any, schema_editor: Any) -> None:
    """A `RunPython` function: the triggers on both engines, then the first fill."""
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        adding = "; ".join(_apply("p_engagement", "p_status", "p_delta"))
        removing = "; ".join(_apply("p_engagement", "p_status", "-1"))
        await client.execute_script(
            f"CREATE FUNCTION {TABLE}_add(p_engagement uuid, p_status varchar, "
            f"p_delta integer) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
            f"IF p_delta > 0 THEN {adding}; ELSE {removing}; END IF; END $$;"
            f"CREATE FUNCTION {TABLE}_on_session() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF TG_OP <> 'INSERT' THEN "
            f"PERFORM {TABLE}_add(OLD.engagement_id, OLD.status, -1); END IF; "
            "IF TG_OP <> 'DELETE' THEN "
            f"PERFORM {TABLE}_add(NEW.engagement_id, NEW.status, 1); END IF; "
            "RETURN NULL; END $$;"
            f"CREATE TRIGGER {TABLE}_on_insert_or_delete AFTER INSERT OR DELETE "
            f"ON scheduling_session FOR EACH ROW EXECUTE FUNCTION {TABLE}_on_session();"
            f"CREATE TRIGGER {TABLE}_on_update AFTER UPDATE OF status, starts_at, "
            f"engagement_id ON scheduling_session FOR EACH ROW "
            f"WHEN ({_CHANGED.format(op='IS DISTINCT FROM')}) "
            f"EXECUTE FUNCTION {TABLE}_on_session();")
    else:
        taken_out = _apply("OLD.engagement_id", "OLD.status", "-1")
        put_in = _apply("NEW.engagement_id", "NEW.status", "1")
        for name, event, statements in (
            ("insert", "INSERT", put_in),
            ("delete", "DELETE", taken_out),
            ("update", "UPDATE OF status, starts_at, engagement_id", taken_out + put_in),
        ):
            when = (f" WHEN {_CHANGED.format(op='IS NOT')}" if name == "update" else "")
            await client.execute_query(
                f'CREATE TRIGGER "{TABLE}_on_{name}" AFTER {event} ON scheduling_session '
                f"FOR EACH ROW{when} BEGIN {'; '.join(statements)}; END")
    await client.execute_query(FILL)
