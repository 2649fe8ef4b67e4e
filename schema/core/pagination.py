"""Relay-style connections: `edges { cursor node }`, `pageInfo`, for every list that grows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from resolvers.core.pagination import Page

T = TypeVar("T")
Row = TypeVar("Row")


@strawberry.type(description="Where this page ends; pass `endCursor` as `after` for the next.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list. Ask for `first` (at most 100) `after` a cursor.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[Row], convert: Callable[[Row], T]) -> Connection[T]:
        edges = [Edge(cursor=c, node=convert(item))
                 for item, c in zip(page.items, page.cursors, strict=True)]
        return cls(edges=edges, page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ))
