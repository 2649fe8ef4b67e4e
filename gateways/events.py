"""Events between app processes, for GraphQL subscriptions (the hub hears about its sessions).

With REDIS_URL set events travel by Redis pub/sub; else on PostgreSQL by LISTEN/NOTIFY; either
way every app process hears every event. On SQLite without Redis, which serves one process,
events stay in process. On every bus an event published inside a transaction is delivered only
when that transaction commits (a rolled back booking is never announced): NOTIFY by itself, the
others by waiting for the commit (gateways/after_commit.py).
Events carry ids and kinds only, never health data: listeners load what they show.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from tortoise.connection import get_connection

from gateways.after_commit import after_commit
from settings import Settings

CHANNEL = "therapyhub_events"
APPLICATION_NAME = "therapyhub-events"
"""The listener connection's name in pg_stat_activity (and Redis's CLIENT LIST), so an
operator can tell it apart."""
_QUEUE_SIZE = 100
_RETRY_FIRST_SECONDS = 0.1
_RETRY_MAX_SECONDS = 10.0
_SUBSCRIBE_TIMEOUT_SECONDS = 5.0
_PUBLISH_RETRIES = 3

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
        async def deliver() -> None:
            self._deliver(topic, event)
        await after_commit(deliver)

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


class RedisEvents(Events):
    """SUBSCRIBE on one dedicated Redis connection per process; PUBLISH after the commit.

    The subscriber connection has redis-py's own retries off, so a dropped connection reaches
    this loop: readiness says so, and it subscribes again with back-off (an event published
    while it is down is lost, as with LISTEN)."""

    def __init__(self, redis_url: str, channel_prefix: str) -> None:
        super().__init__()
        self._redis_url = redis_url
        self.channel = f"{channel_prefix}:events"
        self._publisher: aioredis.Redis | None = None
        self._subscriber: aioredis.Redis | None = None
        self._receiving: asyncio.Task[None] | None = None
        self._subscribed = False

    @property
    def ready(self) -> bool:
        return self._subscribed

    async def start(self) -> None:
        # A pooled connection may have died since its last use (killed, Redis restarted): the
        # publisher connects again and retries, a few times, rather than lose the event.
        self._publisher = aioredis.from_url(
            self._redis_url, client_name=APPLICATION_NAME,
            retry=Retry(ExponentialBackoff(cap=_RETRY_MAX_SECONDS, base=_RETRY_FIRST_SECONDS),
                        _PUBLISH_RETRIES),
            retry_on_error=[RedisConnectionError, RedisTimeoutError])
        pubsub = await self._subscribe()
        self._receiving = asyncio.get_running_loop().create_task(
            self._receive(pubsub), name="redis-events")

    async def _subscribe(self) -> PubSub:
        """Subscribed once Redis confirms it, so an event published after start is heard."""
        if self._subscriber is not None:
            await self._subscriber.aclose()
        self._subscriber = aioredis.from_url(
            self._redis_url, client_name=APPLICATION_NAME, retry=Retry(NoBackoff(), 0),
            socket_keepalive=True)
        pubsub = self._subscriber.pubsub()
        await pubsub.subscribe(self.channel)
        confirmed = await pubsub.get_message(timeout=_SUBSCRIBE_TIMEOUT_SECONDS)
        if confirmed is None or confirmed["type"] != "subscribe":
            raise ConnectionError("Redis did not confirm the events subscription in time.")
        self._subscribed = True
        return pubsub

    async def _receive(self, pubsub: PubSub) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                   timeout=None)
            except (OSError, RedisError) as error:
                self._subscribed = False
                log.warning("Lost the event subscriber's Redis connection (%s); reconnecting.",
                            type(error).__name__)
                pubsub = await self._resubscribe()
                continue
            if message is not None and message["type"] == "message":
                payload = json.loads(message["data"])
                self._deliver(payload["topic"], payload["event"])

    async def _resubscribe(self) -> PubSub:
        delay = _RETRY_FIRST_SECONDS
        while True:
            await asyncio.sleep(delay)
            try:
                pubsub = await self._subscribe()
            except (OSError, RedisError) as error:
                log.warning("Event subscriber still down (%s); retrying in %.1f s.",
                            type(error).__name__, delay)
                delay = min(delay * 2, _RETRY_MAX_SECONDS)
            else:
                log.info("Event subscriber reconnected; listening again.")
                return pubsub

    async def stop(self) -> None:
        self._subscribed = False
        if self._receiving is not None:
            self._receiving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._receiving
            self._receiving = None
        for client in (self._subscriber, self._publisher):
            if client is not None:
                await client.aclose()
        self._subscriber = self._publisher = None

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        payload = json.dumps({"topic": topic, "event": event})
        publisher = self._publisher
        assert publisher is not None, "start the bus before publishing"

        async def send() -> None:
            await publisher.publish(self.channel, payload)
        await after_commit(send)


def events_for(settings: Settings) -> Events:
    """Redis when REDIS_URL is set, else LISTEN/NOTIFY on PostgreSQL, else in process."""
    if settings.redis_url:
        return RedisEvents(settings.redis_url, settings.redis_channel_prefix)
    database_url = settings.database_url
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return PostgresEvents(database_url.replace("asyncpg://", "postgres://", 1))
    return Events()
