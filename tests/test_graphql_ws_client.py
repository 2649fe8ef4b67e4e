"""The hubUpdates subscription through the npm `graphql-ws` client under Node, against the real
server (`python app.py serve`): the client frontend teams use reads only text frames."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.node_clients import node_clients
from tests.scheduling_steps import book, every_day, practice, soon
from tests.test_server import _HttpApi, server  # noqa: F401  (the real served app)

LINE_LIMIT_SECONDS = 30
"""A generous bound so a silent client fails the test instead of hanging it."""


class NodeSubscriber:
    """clients/node/hub_updates.mjs running; each line it prints is one thing it saw."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def next(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), LINE_LIMIT_SECONDS)
        assert line, "the Node client exited without a word"
        return json.loads(line)


@asynccontextmanager
async def node_subscriber(base: str, token: str) -> AsyncIterator[NodeSubscriber]:
    clients = node_clients("the npm graphql-ws subscription test")
    process = await asyncio.create_subprocess_exec(
        "node", str(clients / "node" / "hub_updates.mjs"), cwd=clients,
        env={**os.environ, "HUB_URL": base.replace("http://", "ws://") + "/graphql",
             "HUB_TOKEN": token},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        yield NodeSubscriber(process)
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def test_the_npm_client_hears_a_booking_on_its_hub(server):  # noqa: F811
    async with httpx.AsyncClient(base_url=server) as http:
        api = _HttpApi(http)
        setup = await practice(api, self_booking=True, timeZone="UTC",
                               weeklyHours=every_day("00:00", "00:00"))
        async with node_subscriber(server, setup.client) as hub:
            assert await hub.next() == {"connected": True}
            assert await hub.next() == {"data": {"hubUpdates": {"kind": "LISTENING",
                                                                "session": None}}}
            booked = await book(api, setup.professional, setup.engagement_id, soon(48))
            heard = await hub.next()
    assert heard == {"data": {"hubUpdates": {"kind": "SESSION_BOOKED", "session": {
        "id": booked["session"]["id"], "status": "SCHEDULED"}}}}


async def test_the_npm_client_is_closed_with_4403_for_a_token_that_signs_no_one_in(
        server):  # noqa: F811
    async with node_subscriber(server, "not-a-token-anyone-was-given") as hub:
        closed = await hub.next()
    assert closed["closed"] == 4403
