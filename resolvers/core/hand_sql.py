"""Hand-written reads for the queries every request or every hub page runs.

For the small indexed lookups of a hub page, Tortoise building the query (its query set,
pypika's copies of the tree, the SQL text) costs more CPU than the database spends answering
it (BENCHMARKS.md, the hub). Here the SQL is fixed text; the rows still become models through
Tortoise's own `_init_from_db`, so every column is converted exactly as a query set would
(timestamps, UUIDs and enums on both engines), and the models behave as loaded ones.

Write the SQL with `?` placeholders and plain column names; on PostgreSQL they are numbered.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

from tortoise.connection import get_connection
from tortoise.models import Model

M = TypeVar("M", bound=Model)


def numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2, ...`."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" if i < len(parts) else part for i, part in enumerate(parts, 1))


@cache
def _numbered_once(sql: str) -> str:
    return numbered(sql)


def _parameter(value: object, postgres: bool) -> object:
    """As Tortoise sends it: UUIDs as text on SQLite, enums by value, instants in UTC."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, UUID):
        return value if postgres else str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


async def fetch(sql: str, values: Sequence[object]) -> Sequence[Mapping[str, Any]]:
    """The rows of `sql` on the default connection (the transaction's, inside one)."""
    connection = get_connection("default")
    postgres = connection.capabilities.dialect == "postgres"
    _, rows = await connection.execute_query(
        _numbered_once(sql) if postgres else sql,
        [_parameter(value, postgres) for value in values])
    return rows


@cache
def columns(model: type[Model], alias: str) -> str:
    """Every column of `model`'s table as `alias.column AS "alias.column"`, for joins."""
    return ", ".join(f'{alias}.{column} AS "{alias}.{column}"'
                     for column in _columns(model))


@cache
def _columns(model: type[Model]) -> tuple[str, ...]:
    return tuple(model._meta.fields_db_projection.values())


def model_of(model: type[M], row: Mapping[str, Any], alias: str | None = None) -> M:
    """The row as a loaded model; with `alias`, from that table's columns of a join."""
    if alias is None:
        return model._init_from_db(**row)
    return model._init_from_db(**{column: row[f"{alias}.{column}"]
                                  for column in _columns(model)})


def attach(instance: Model, relation: str, related: Model) -> None:
    """A relation in hand, as Tortoise's select_related leaves it (`instance.relation`)."""
    object.__setattr__(instance, f"_{relation}", related)
