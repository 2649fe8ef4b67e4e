"""DDL that makes a table append-only, used by the migrations of the audit log.

- PostgreSQL: a trigger function raising `<table>_append_only`, fired before every UPDATE and
  DELETE row and before TRUNCATE;
- SQLite: `BEFORE UPDATE` and `BEFORE DELETE` triggers aborting with the same message.

A refused change raises `IntegrityError` (SQLite) or `OperationalError` (PostgreSQL) naming the
rule. The database's owner can still drop the triggers; the audit chain makes what they then do
visible. Applied migrations call these functions: never change what an existing one emits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


def rule_name(table: str) -> str:
    return f"{table}_append_only"


def postgres_statements(table: str) -> list[str]:
    name = rule_name(table)
    return [
        f"CREATE OR REPLACE FUNCTION \"{name}\"() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{name}' USING ERRCODE = 'integrity_constraint_violation'; END $$",
        f'CREATE TRIGGER "{name}_rows" BEFORE UPDATE OR DELETE ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{name}"()',
        f'CREATE TRIGGER "{name}_truncate" BEFORE TRUNCATE ON "{table}" '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{name}"()',
    ]


def sqlite_statements(table: str) -> list[str]:
    name = rule_name(table)
    return [
        f'CREATE TRIGGER "{name}_on_{event.lower()}" BEFORE {event} ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{name}'); END"
        for event in ("UPDATE", "DELETE")
    ]


def append_only(table: str) -> Callable[[Any, Any], Awaitable[None]]:
    """A `RunPython` function that makes `table` refuse UPDATE, DELETE (and TRUNCATE)."""

    async def add(apps: Any, schema_editor: Any) -> None:
        client = schema_editor.client
        postgres = client.capabilities.dialect == "postgres"
        for statement in postgres_statements(table) if postgres else sqlite_statements(table):
            await client.execute_script(statement)

    return add
