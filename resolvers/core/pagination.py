"""Cursor (keyset) pagination for every list that grows: stable under inserts, O(page) cost.

A cursor is the sort key of the last row seen, base64-encoded JSON. It is opaque to the SPA and
carries no authority: the query it continues is still filtered by the caller's rights.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from resolvers.core.errors import ErrorCode, PublicError

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool


def _refused(message: str, field: str) -> PublicError:
    """A clean GraphQL error with a code: connection fields are queries with no `userErrors`
    to carry it, and a UserErrors raised there would be masked as INTERNAL."""
    error = PublicError(message, ErrorCode.INVALID_INPUT)
    error.extensions["field"] = field
    return error


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise _refused(f"Ask for between 1 and {MAX_PAGE_SIZE} items at a time.", "first")
    return first


def encode_cursor(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, UUID)
             else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: list[type]) -> list[Any]:
    """The cursor's values as `kinds`; a cursor that does not fit is a userError, not a 500."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list):
            raise TypeError("a cursor is a list")
        return [kind.fromisoformat(v) if kind in (datetime, date) else kind(v)
                for v, kind in zip(raw, kinds, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _refused("That cursor is not valid here; start again from the first page.",
                       "after") from None


async def keyset_page(
    query: QuerySet,
    *,
    order: list[tuple[str, type, bool]],
    first: int | None,
    after: str | None,
) -> Page:
    """One page of `query` ordered by `order` (field, type, descending), continuing `after`.

    The last order field must be unique (the primary key) so the order is total.
    """
    size = page_size(first)
    if after:
        values = decode_cursor(after, [kind for _, kind, _ in order])
        query = query.filter(_after(order, values))
    query = query.order_by(*[f"-{name}" if desc else name for name, _, desc in order])
    rows = await query.limit(size + 1)
    items = rows[:size]
    cursors = [encode_cursor([getattr(row, name) for name, _, _ in order]) for row in items]
    return Page(items=items, cursors=cursors, has_next_page=len(rows) > size)


def _after(order: list[tuple[str, type, bool]], values: list[Any]) -> Q:
    """Rows strictly after `values` in lexicographic order: (a > x) or (a = x and b > y) ..."""
    condition: Q | None = None
    for index in range(len(order) - 1, -1, -1):
        name, _, desc = order[index]
        step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[index]})
        if condition is not None:
            step |= Q(**{name: values[index]}) & condition
        condition = step
    assert condition is not None
    return condition
