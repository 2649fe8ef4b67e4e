"""Hand-written reads for the queries every request or every hub page runs.

For the small indexed lookups of a hub page, Tortoise building the query (its query set,
pypika's copies of the tree, the SQL text) costs more CPU than the database spends answering
it (BENCHMARKS.md, the hub). Here the SQL is fixed text; the rows still become models through
Tortoise's own `_init_from_db`, so every column is converted exactly as a query set would
(timestamps, UUIDs and enums on both engines), and the models behave as loaded ones.

On PostgreSQL, where asyncpg hands over timestamps, UUIDs and numbers already as Python
values, a model is built by a converter made once per model (`_builder`): the values Tortoise
would set, without its per-value configuration lookups (about a quarter of the cost; a page of
50 sessions spent close to a millisecond there). tests/test_hand_sql.py holds it to
`_init_from_db`'s result.

Write the SQL with `?` placeholders and plain column names; on PostgreSQL they are numbered.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, cast
from uuid import UUID

from tortoise import timezone
from tortoise.connection import get_connection
from tortoise.fields.data import CharEnumFieldInstance, DatetimeField, JSONField, UUIDField
from tortoise.models import Model

from resolvers.core.pagination import Page, PageRequest, decode_cursor, encode_cursor

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


class Rows(list[Mapping[str, Any]]):
    """A query's rows, knowing which engine gave them (how their values are to be read)."""

    def __init__(self, rows: Sequence[Mapping[str, Any]], *, postgres: bool) -> None:
        super().__init__(rows)
        self.postgres = postgres

    def models(self, model: type[M], alias: str | None = None) -> list[M]:
        """Each row as a loaded model; with `alias`, from that table's columns of a join."""
        build = _builder(model, self.postgres, alias)
        return [build(row) for row in self]


async def fetch(sql: str, values: Sequence[object]) -> Rows:
    """The rows of `sql` on the default connection (the transaction's, inside one)."""
    connection = get_connection("default")
    postgres = connection.capabilities.dialect == "postgres"
    _, rows = await connection.execute_query(
        _numbered_once(sql) if postgres else sql,
        [_parameter(value, postgres) for value in values])
    return Rows(rows, postgres=postgres)


@cache
def columns(model: type[Model], alias: str) -> str:
    """Every column of `model`'s table as `alias.column AS "alias.column"`, for joins."""
    return ", ".join(f'{alias}.{column} AS "{alias}.{column}"'
                     for column in _columns(model))


@cache
def _columns(model: type[Model]) -> tuple[str, ...]:
    return tuple(model._meta.fields_db_projection.values())


@cache
def _aliased(model: type[Model], alias: str) -> tuple[tuple[str, str], ...]:
    """Each column with its name in a join (`columns`)."""
    return tuple((column, f"{alias}.{column}") for column in _columns(model))


_TIMESTAMP = object()
"""A column `_builder` converts to the configured zone."""


def _through_tortoise(model: type[M], alias: str | None) -> Callable[[Mapping[str, Any]], M]:
    """Tortoise's own conversion (SQLite's text values, fields of other kinds)."""
    if alias is None:
        return lambda row: model._init_from_db(**row)
    columns = _aliased(model, alias)
    return lambda row: model._init_from_db(**{column: row[key] for column, key in columns})


@cache
def _builder(model: type[M], postgres: bool, alias: str | None = None
             ) -> Callable[[Mapping[str, Any]], M]:
    """What `_init_from_db` does, with each column's conversion chosen once and written out as
    one function per model: timestamps in the configured zone, UUIDs as they come, enums by
    value, JSON decoded by its field. SQLite's text values, or a field of another kind, go
    through Tortoise itself. Kept for the process: the zone settings are fixed by
    db.tortoise_config (use_tz, UTC). With `alias`, the row's columns are a join's
    (`columns`), read where they are."""
    meta = model._meta
    if not postgres or not timezone.get_use_tz():
        return _through_tortoise(model, alias)
    zone = timezone.get_default_timezone()
    namespace: dict[str, Any] = {"model": model, "zone": zone,
                                 "make_aware": timezone.make_aware,
                                 "generated_pk": meta.db_pk_column not in meta.generated_db_fields}
    lines = ["def build(row):", "    instance = model.__new__(model)",
             "    values = instance.__dict__",
             "    values.update(_partial=False, _saved_in_db=True,",
             "                  _custom_generated_pk=generated_pk, _await_when_save={})"]
    conversions: list[tuple[str, str, object]] = [
        (key, attribute, None) for key, attribute, _ in meta.db_native_fields]
    conversions += [(key, attribute, field.field_type)
                    for key, attribute, field in meta.db_default_fields]
    for key, attribute, field in meta.db_complex_fields:
        if type(field) is DatetimeField:
            conversions.append((key, attribute, _TIMESTAMP))
        elif type(field) is UUIDField:
            conversions.append((key, attribute, None))
        elif isinstance(field, CharEnumFieldInstance):
            conversions.append((key, attribute, field.enum_type))
        elif type(field) is JSONField:
            conversions.append((key, attribute, field.to_python_value))
        else:
            return _through_tortoise(model, alias)
    for index, (key, attribute, convert) in enumerate(conversions):
        column = f"{alias}.{key}" if alias else key
        lines.append(f"    value = row[{column!r}]")
        if convert is _TIMESTAMP:
            lines += ["    if value is not None:",
                      "        value = value.astimezone(zone) if value.tzinfo is not None "
                      "else make_aware(value)"]
        elif convert is not None:
            namespace[f"convert{index}"] = convert
            lines += ["    if value is not None:", f"        value = convert{index}(value)"]
        lines.append(f"    values[{attribute!r}] = value")
    lines.append("    return instance")
    exec("\n".join(lines), namespace)  # noqa: S102 (column and field names of the model)
    return cast("Callable[[Mapping[str, Any]], M]", namespace["build"])


def attach(instance: Model, relation: str, related: Model) -> None:
    """A relation in hand, as Tortoise's select_related leaves it (`instance.relation`)."""
    object.__setattr__(instance, f"_{relation}", related)


async def keyset_page(model: type[M], where: str, values: Sequence[object], *,
                      order: list[tuple[str, type, bool]], request: PageRequest) -> Page[M]:
    """`resolvers.core.pagination.keyset_page` as fixed SQL: one page of `model`'s rows
    matching `where` (SQL over its columns, `?` for `values`; parenthesised, so an OR in it
    cannot step around the page's condition), ordered by `order` (column, type, descending;
    the last one unique), with the same cursors."""
    sql = [f"SELECT * FROM {model._meta.db_table} WHERE ({where})"]  # noqa: S608
    params = list(values)
    if request.cursor:
        after = decode_cursor(request.cursor, [kind for _, kind, _ in order],
                              request.cursor_field)
        condition, beyond = _beyond(order, after, backward=request.backward)
        sql.append(f"AND {condition}")
        params += beyond
    sql.append("ORDER BY " + ", ".join(
        f"{column}{' DESC' if descending != request.backward else ''}"
        for column, _, descending in order))
    sql.append("LIMIT ?")
    params.append(request.size + 1)
    rows = (await fetch(" ".join(sql), params)).models(model)
    items = rows[:request.size]
    cursors = [encode_cursor([getattr(row, column) for column, _, _ in order])
               for row in items]
    return request.page(items, cursors, more=len(rows) > request.size)


def _beyond(order: list[tuple[str, type, bool]], values: list[Any], *, backward: bool
            ) -> tuple[str, list[object]]:
    """Rows strictly past `values` in the order (before them when `backward`):
    (a > x) OR (a = x AND ((b > y) OR ...))."""
    column, _, descending = order[0]
    sign = "<" if descending != backward else ">"
    if len(order) == 1:
        return f"{column} {sign} ?", [values[0]]
    rest, rest_values = _beyond(order[1:], values[1:], backward=backward)
    return (f"({column} {sign} ? OR ({column} = ? AND {rest}))",
            [values[0], values[0], *rest_values])
