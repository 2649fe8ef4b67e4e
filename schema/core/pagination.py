"""Relay-style connections: `edges { cursor node }`, `pageInfo`, for every list that grows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from resolvers.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page

T = TypeVar("T")

First = Annotated[int | None, strawberry.argument(
    description=f"How many items to return, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}); "
                "anything else is refused with INVALID_INPUT.")]
After = Annotated[str | None, strawberry.argument(
    description="Start after this cursor (`pageInfo.endCursor` of the previous page); omit for "
                "the first page. A cursor that is not one of ours is refused with INVALID_INPUT.")]


@strawberry.type(description="Where this page ends; pass `endCursor` as `after` for the next.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when more items follow this page; ask again with `after: endCursor`.")
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor; null when the page is empty.")


@strawberry.type(description="One item of a page with its position in the list.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque position of this item; pass it as `after` to continue from here. "
                    "Valid for the same list and order only.")
    node: T = strawberry.field(description="The item itself.")


@strawberry.type(description="A page of a list. Ask for `first` (at most 100) `after` a cursor.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="The items of this page in the list's order; empty past the end.")
    page_info: PageInfo = strawberry.field(description="Whether and how to fetch the next page.")

    @classmethod
    def of(cls, page: Page, convert: Callable[[object], T]) -> Connection[T]:
        edges = [Edge(cursor=c, node=convert(item))
                 for item, c in zip(page.items, page.cursors, strict=True)]
        return cls(edges=edges, page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ))
