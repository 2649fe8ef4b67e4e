"""One load shared by the sibling fields of one object in an answer.

`clientProfile { engagements progress sessions }` and the `practice` dashboard have several
fields that need the same rows. Their resolvers run concurrently, so a plain cache would still
query once per field that got there first; `Once` starts the load on the first await and hands
every later await the same result, so the rows are read once per request and the statement
count does not depend on which field resolves first. It lives on the object the request built
(a ClientProfile, a Practice), so nothing is cached beyond the request, and a mutation's payload
built afterwards gets a fresh one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    def __init__(self, load: Callable[[], Awaitable[T]]) -> None:
        self._load = load
        self._started: asyncio.Future[T] | None = None

    def __await__(self) -> Generator[Any, None, T]:
        """Shielded: one awaiter cancelled (a list item whose sibling failed) must not cancel
        the load every other awaiter shares."""
        if self._started is None:
            self._started = asyncio.ensure_future(self._load())
        return asyncio.shield(self._started).__await__()
