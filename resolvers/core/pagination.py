"""Cursor (keyset) pagination for every list that grows: stable under inserts, O(page) cost.

A cursor is the sort key of a row, base64-encoded JSON. It is opaque to the SPA and carries no
authority: the query it continues is still filtered by the caller's rights. The same row has the
same cursor whichever way it was reached, so a screen may page forward and back over one list.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

import orjson
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from resolvers.core.errors import ErrorCode, PublicError

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items in the list's own order, whichever direction they were fetched in (Relay)."""
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool = False


def _refused(message: str, field: str) -> PublicError:
    """A clean GraphQL error with a code: connection fields are queries with no `userErrors`
    to carry it, and a UserErrors raised there would be masked as INTERNAL."""
    error = PublicError(message, ErrorCode.INVALID_INPUT)
    error.extensions["field"] = field
    return error


@dataclass(frozen=True)
class PageRequest:
    """What a connection's `first`/`after`/`last`/`before` ask for, checked once for every list.

    Forward (`first`, `after`) reads away from `after` towards the end; backward (`last`,
    `before`) reads from `before` towards the start. Mixing the two directions is refused
    rather than guessed at, so a client's mistake shows at once.
    """
    size: int = DEFAULT_PAGE_SIZE
    after: str | None = None
    before: str | None = None
    backward: bool = False

    @classmethod
    def of(cls, *, first: int | None = None, after: str | None = None,
           last: int | None = None, before: str | None = None) -> PageRequest:
        if first is not None and last is not None:
            raise _refused("Ask for `first` (forward) or `last` (backward), not both.", "last")
        if after is not None and before is not None:
            raise _refused("Page from one cursor: `after` (forward) or `before` (backward), "
                           "not both.", "before")
        backward = last is not None or before is not None
        if backward and first is not None:
            raise _refused("`before` pages backward: ask for `last` with it, not `first`.",
                           "first")
        if last is not None and after is not None:
            raise _refused("`after` pages forward: ask for `first` with it, not `last`.", "last")
        size = _size(last if backward else first, "last" if backward else "first")
        return cls(size=size, after=after, before=before, backward=backward)

    @property
    def cursor(self) -> str | None:
        """Where reading starts (exclusive): `before` backward, `after` forward."""
        return self.before if self.backward else self.after

    @property
    def cursor_field(self) -> str:
        return "before" if self.backward else "after"

    def continuing(self, cursor: str, size: int) -> PageRequest:
        """The same direction again, reading on past `cursor` (for scans in batches)."""
        if self.backward:
            return replace(self, size=size, before=cursor)
        return replace(self, size=size, after=cursor)

    def page(self, items: list[T], cursors: list[str], *, more: bool) -> Page[T]:
        """The page of `items` read in this request's direction (nearest the cursor first);
        `more` says whether rows lie beyond them in that direction.

        The direction read in is exact; the other side is known from the cursor alone (rows
        lie behind a cursor the list gave out), which Relay allows and costs no query.
        """
        if self.backward:
            return Page(items=items[::-1], cursors=cursors[::-1],
                        has_next_page=self.before is not None, has_previous_page=more)
        return Page(items=items, cursors=cursors, has_next_page=more,
                    has_previous_page=self.after is not None)


FIRST_PAGE = PageRequest()
"""The first page at the default size, for callers that ask for no page in particular."""


def _size(asked: int | None, field: str) -> int:
    if asked is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= asked <= MAX_PAGE_SIZE:
        raise _refused(f"Ask for between 1 and {MAX_PAGE_SIZE} items at a time.", field)
    return asked


def encode_cursor(values: list[Any]) -> str:
    """orjson writes dates and instants in ISO 8601 and UUIDs in their usual form, which
    `decode_cursor` reads back; asyncpg's own UUIDs as text."""
    return base64.urlsafe_b64encode(orjson.dumps(values, default=str)).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: list[type], field: str = "after") -> list[Any]:
    """The cursor's values as `kinds`; a cursor that does not fit is a userError, not a 500."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list):
            raise TypeError("a cursor is a list")
        return [_instant(v) if kind is datetime else kind.fromisoformat(v) if kind is date
                else kind(v) for v, kind in zip(raw, kinds, strict=True)]
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise _refused("That cursor is not valid here; start again from the first page.",
                       field) from None


def _instant(value: str) -> datetime:
    """A cursor's instant, in UTC. Ours always carry an offset; one without, or one that
    leaves the calendar in UTC (year 9999 west of Greenwich), was not handed out here."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a cursor's instant has an offset")
    return moment.astimezone(UTC)


async def keyset_page(query: QuerySet, *, order: list[tuple[str, type, bool]],
                      request: PageRequest) -> Page:
    """One page of `query` ordered by `order` (field, type, descending), as `request` asks.

    The last order field must be unique (the primary key) so the order is total. Backward
    reads the reversed order from `before` and turns the rows round.
    """
    if request.cursor:
        values = decode_cursor(request.cursor, [kind for _, kind, _ in order],
                               request.cursor_field)
        query = query.filter(_beyond(order, values, backward=request.backward))
    query = query.order_by(*[f"-{name}" if desc != request.backward else name
                             for name, _, desc in order])
    rows = await query.limit(request.size + 1)
    items = rows[:request.size]
    cursors = [encode_cursor([getattr(row, name) for name, _, _ in order]) for row in items]
    return request.page(items, cursors, more=len(rows) > request.size)


def _beyond(order: list[tuple[str, type, bool]], values: list[Any], *, backward: bool) -> Q:
    """Rows strictly after `values` in lexicographic order (before them when `backward`):
    (a > x) or (a = x and b > y) ..."""
    condition: Q | None = None
    for index in range(len(order) - 1, -1, -1):
        name, _, desc = order[index]
        step = Q(**{f"{name}__{'lt' if desc != backward else 'gt'}": values[index]})
        if condition is not None:
            step |= Q(**{name: values[index]}) & condition
        condition = step
    assert condition is not None
    return condition
