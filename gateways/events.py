"""Events between app processes, for GraphQL subscriptions (the hub hears about its sessions).

On PostgreSQL events travel by LISTEN/NOTIFY, so every app process hears every event, and an
event published inside a transaction is delivered only when that transaction commits (a rolled
back booking is never announced). On SQLite, which serves one process, events stay in process.
Events carry ids and kinds only, never health data: listeners load what they show.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from tortoise.connection import get_connection

CHANNEL = "therapyhub_events"
_QUEUE_SIZE = 100


class Events:
    """Fan-out of published events to this process's listeners, per topic."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        self._deliver(topic, event)

    def _deliver(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._listeners.get(topic, ())):
            if queue.full():
                queue.get_nowait()  # a stalled listener loses its oldest event, not the bus
            queue.put_nowait(event)

    @asynccontextmanager
    async def listen(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=_QUEUE_SIZE)
        self._listeners[topic].add(queue)
        try:
            yield queue
        finally:
            self._listeners[topic].discard(queue)
            if not self._listeners[topic]:
                del self._listeners[topic]


class PostgresEvents(Events):
    """LISTEN on one dedicated connection per process; NOTIFY through the ORM's connection."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self._database_url = database_url
        self._connection: asyncpg.Connection | None = None

    async def start(self) -> None:
        self._connection = await asyncpg.connect(self._database_url)
        await self._connection.add_listener(CHANNEL, self._on_notify)

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        payload = json.dumps({"topic": topic, "event": event})
        await get_connection("default").execute_query(
            "SELECT pg_notify($1, $2)", [CHANNEL, payload]
        )

    def _on_notify(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        message = json.loads(payload)
        self._deliver(message["topic"], message["event"])


def events_for(database_url: str) -> Events:
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return PostgresEvents(database_url.replace("asyncpg://", "postgres://", 1))
    return Events()
