"""Relay-style connections: `edges { cursor node }`, `pageInfo`, for every list that grows.

Every connection field takes the four paging arguments below and hands them to the resolver
as one `PageRequest`, so the checks and their errors are the same on every list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from resolvers.core.pagination import MAX_PAGE_SIZE, Page

T = TypeVar("T")
Row = TypeVar("Row")

BOTH_WAYS = " Pages forward with `first`/`after` and backward with `last`/`before`."
"""Appended to every connection field's description."""

First = Annotated[int | None, strawberry.argument(
    description=f"Forward: this many items (1 to {MAX_PAGE_SIZE}; 20 when neither `first` "
                "nor `last` is given), from the start or from `after`.")]
After = Annotated[str | None, strawberry.argument(
    description="Forward: continue after this cursor (a previous page's `endCursor`).")]
Last = Annotated[int | None, strawberry.argument(
    description=f"Backward: this many items (1 to {MAX_PAGE_SIZE}), from the end or from "
                "`before`; they come in the list's own order. Not with `first` or `after`.")]
Before = Annotated[str | None, strawberry.argument(
    description="Backward: the items just before this cursor (a page's `startCursor`).")]


@strawberry.type(description="Where this page sits in the list. Forward: pass `endCursor` as "
                             "`after` while `hasNextPage`. Backward: pass `startCursor` as "
                             "`before` while `hasPreviousPage`.")
class PageInfo:
    has_next_page: bool = strawberry.field(description=(
        "Whether items follow this page. Exact when paging forward; paging backward it is "
        "true whenever `before` was given (the item at that cursor follows)."))
    has_previous_page: bool = strawberry.field(description=(
        "Whether items precede this page. Exact when paging backward; paging forward it is "
        "true whenever `after` was given (the item at that cursor precedes)."))
    start_cursor: str | None = strawberry.field(description=(
        "The first edge's cursor; null on an empty page."))
    end_cursor: str | None = strawberry.field(description=(
        "The last edge's cursor; null on an empty page."))


@strawberry.type(description="One item of a page with the cursor to page on from it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Where this item is in the list (opaque).")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description=f"A page of a list: `first` (at most {MAX_PAGE_SIZE}) items "
                             "`after` a cursor, or the `last` items `before` one. Items are "
                             "always in the list's own order.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items, in list order.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more lie "
                                                       "either side.")

    @classmethod
    def of(cls, page: Page[Row], convert: Callable[[Row], T]) -> Connection[T]:
        edges = [Edge(cursor=c, node=convert(item))
                 for item, c in zip(page.items, page.cursors, strict=True)]
        return cls(edges=edges, page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ))
