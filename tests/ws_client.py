"""A graphql-transport-ws client over a real websocket, and the app served on a real port in
the test's event loop (so it shares the test's database connections)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from app import create_app
from gateways.events import Events
from settings import Settings
from tests.mailbox import free_port

RECEIVE_LIMIT_SECONDS = 20
"""A generous bound so a broken stream fails the test instead of hanging it."""


@contextlib.asynccontextmanager
async def served(settings: Settings, events: Events) -> AsyncIterator[str]:
    """The app on a free loopback port; yields its websocket URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        create_app(settings, manage_database=False, events=events), host="127.0.0.1",
        port=port, lifespan="off", log_level="warning", ws="websockets-sansio",
    ))
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # uvicorn offers a flag, not an event, for "listening"
        if server.started:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the app did not start listening")
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


class GraphQLWs:
    """One websocket speaking graphql-transport-ws."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.connection.recv(), timeout=RECEIVE_LIMIT_SECONDS)
        return json.loads(raw)

    async def subscribe(self, query: str, operation_id: str = "1") -> None:
        await self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query}})

    async def next_data(self) -> dict[str, Any]:
        """The next result's data; anything else (errors, complete) fails the test."""
        message = await self.receive()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]


@contextlib.asynccontextmanager
async def graphql_ws(url: str, payload: dict[str, Any] | None = None
                     ) -> AsyncIterator[GraphQLWs]:
    """Connect and send `connection_init` with `payload` (where the bearer token goes)."""
    async with connect(url, subprotocols=["graphql-transport-ws"]) as connection:
        client = GraphQLWs(connection)
        await client.send({"type": "connection_init", "payload": payload or {}})
        yield client
