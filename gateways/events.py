"""Events between app processes, for GraphQL subscriptions (the hub hears about its sessions).

On PostgreSQL events travel by LISTEN/NOTIFY, so every app process hears every event, and an
event published inside a transaction is delivered only when that transaction commits (a rolled
back booking is never announced). On SQLite, which serves one process, events stay in process.
Events carry ids and kinds only, never health data: listeners load what they show.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from tortoise.connection import get_connection

CHANNEL = "therapyhub_events"
APPLICATION_NAME = "therapyhub-events"
"""The listener connection's name in pg_stat_activity, so an operator can tell it apart."""
_QUEUE_SIZE = 100
_RETRY_FIRST_SECONDS = 0.1
_RETRY_MAX_SECONDS = 10.0

log = logging.getLogger(__name__)


class Events:
    """Fan-out of published events to this process's listeners, per topic."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    @property
    def ready(self) -> bool:
        """Whether events from other processes reach this one (readiness, not liveness)."""
        return True

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
        self._reconnecting: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def ready(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    async def start(self) -> None:
        self._stopping = False
        await self._listen()

    async def _listen(self) -> None:
        connection = await asyncpg.connect(
            self._database_url, server_settings={"application_name": APPLICATION_NAME})
        await connection.add_listener(CHANNEL, self._on_notify)
        connection.add_termination_listener(self._on_lost)
        self._connection = connection

    def _on_lost(self, _connection: object) -> None:
        """A LISTEN connection that dies takes every subscription of this process with it,
        silently (PITFALLS.md): listen again on a new one, with back-off."""
        if self._stopping or self._reconnecting is not None:
            return
        log.warning("Lost the event listener's database connection; reconnecting.")
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = _RETRY_FIRST_SECONDS
        try:
            while not self._stopping:
                try:
                    await self._listen()
                except (OSError, asyncpg.PostgresError) as error:
                    # The error's class only: its text may carry the connection's address.
                    log.warning("Event listener still down (%s); retrying in %.1f s.",
                                type(error).__name__, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, _RETRY_MAX_SECONDS)
                else:
                    log.info("Event listener reconnected; listening again.")
                    return
        finally:
            self._reconnecting = None

    async def stop(self) -> None:
        self._stopping = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        payload = json.dumps({"topic": topic, "event": event})
        await get_connection("default").execute_query(
            "SELECT pg_notify($1, $2)", [CHANNEL, payload]
        )

    def _on_notify(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        assert isinstance(payload, str), "asyncpg hands a NOTIFY payload over as text"
        message = json.loads(payload)
        self._deliver(message["topic"], message["event"])


def events_for(database_url: str) -> Events:
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return PostgresEvents(database_url.replace("asyncpg://", "postgres://", 1))
    return Events()
