"""DDL for the rules a row must keep whoever writes it, used by the `*_invariants` migrations.

Tortoise's own `AddConstraint` would rebuild the table on SQLite (`_remake_table`): the rebuild
drops the indexes that migrations created by hand and, with foreign keys on, its `DROP TABLE`
deletes and nulls the rows that point at the table. So each rule is written here instead:

- PostgreSQL: `ALTER TABLE ... ADD CONSTRAINT <name> CHECK (<condition>)`;
- SQLite: a `BEFORE INSERT` and a `BEFORE UPDATE` trigger that abort with `<name>` as the
  message when the condition is false (a NULL condition passes, as with CHECK).

Either way a refused write raises `IntegrityError` whose message names the rule. The rules are
not in the models' `Meta` (the autodetector would then want an `AddConstraint`); the migration
that creates them is where they are read. Applied migrations call these functions: never
change what an existing one emits, add a new one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

LIVE_STATUSES = "('scheduled', 'completed', 'no_show')"
"""Session statuses that occupy time, as in the PostgreSQL exclusion constraints."""


Rule = str | tuple[str, str]
"""An SQL condition on the row's columns, valid on both engines, or a (PostgreSQL, SQLite)
pair where they differ (times: SQLite compares them with `julianday()`)."""


def checks(table: str, rules: Mapping[str, Rule]) -> Callable[[Any, Any], Awaitable[None]]:
    """A `RunPython` function adding `rules` (constraint name -> condition) to `table`."""

    async def add(apps: Any, schema_editor: Any) -> None:
        client = schema_editor.client
        for name, rule in rules.items():
            postgres, sqlite = (rule, rule) if isinstance(rule, str) else rule
            if client.capabilities.dialect == "postgres":
                await client.execute_script(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK ({postgres})')
                continue
            new_row = _on_new_row(sqlite)
            for event in ("INSERT", "UPDATE"):
                await client.execute_query(
                    f'CREATE TRIGGER "{name}_on_{event.lower()}" BEFORE {event} ON "{table}" '
                    f"FOR EACH ROW WHEN NOT ({new_row}) "
                    f"BEGIN SELECT RAISE(ABORT, '{name}'); END")

    return add


async def session_no_overlap_on_sqlite(apps: Any, schema_editor: Any) -> None:
    """SQLite's counterpart of the PostgreSQL exclusion constraints `session_professional_no_overlap`
    and `session_client_no_overlap` (scheduling 0001): a live session may not overlap another
    live session of the same professional, nor of the same client, in [starts_at, ends_at).

    Times are compared with `julianday()`, which reads every text form Tortoise and the session
    store write (`2026-03-30 08:00:00+00:00`, with or without fractions or a `T`) as an instant.
    """
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    for column in ("professional_id", "client_id"):
        name = f"session_{column[:-3]}_no_overlap"
        overlap = (
            "SELECT 1 FROM scheduling_session AS other "
            f"WHERE other.{column} = NEW.{column} AND other.id <> NEW.id "
            f"AND other.status IN {LIVE_STATUSES} "
            "AND julianday(other.starts_at) < julianday(NEW.ends_at) "
            "AND julianday(other.ends_at) > julianday(NEW.starts_at)"
        )
        for event, suffix in (
            ("INSERT", "insert"),
            ("UPDATE OF starts_at, ends_at, status, professional_id, client_id", "update"),
        ):
            await client.execute_query(
                f'CREATE TRIGGER "{name}_on_{suffix}" BEFORE {event} ON scheduling_session '
                f"FOR EACH ROW WHEN NEW.status IN {LIVE_STATUSES} "
                f"BEGIN SELECT RAISE(ABORT, '{name}') WHERE EXISTS ({overlap}); END")


def _on_new_row(condition: str) -> str:
    """The condition with each column written `NEW.column`: a trigger sees the row as NEW.
    Conditions use only column names, numbers, quoted literals and the words below."""
    words = condition.replace("(", " ( ").replace(")", " ) ").split()
    return " ".join(f"NEW.{word}" if _is_column(word) else word for word in words)


def _is_column(word: str) -> bool:
    return word.isidentifier() and word.upper() not in _SQL_WORDS


_SQL_WORDS = {"AND", "OR", "NOT", "IS", "NULL", "IN", "BETWEEN", "TRUE", "FALSE", "JULIANDAY"}
