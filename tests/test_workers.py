"""Several app processes: README's production command (`uvicorn app:from_environment --factory
--workers N`) runs, with the uvicorn options `serve` uses, and on PostgreSQL a subscriber on each
worker hears one booking, on each broker. Which worker holds a websocket is read from /proc, not
from the app."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from uvicorn.main import main as uvicorn_cli

import app
from tests.conftest import ON_POSTGRES
from tests.scheduling_steps import book, every_day, practice, soon
from tests.test_hub_updates import bearer, listening
from tests.test_server import _HttpApi
from tests.uvicorn_processes import (
    START_LIMIT_SECONDS,
    Uvicorn,
    connection_owner,
    production_command,
    uvicorn_process,
)
from tests.ws_client import GraphQLWs, graphql_ws

SUBSCRIBERS_PER_ROUND = 4
MAX_SUBSCRIBERS = 48
"""Which worker accepts a connection is the kernel's choice: open subscribers a few at a time
until both workers hold some, up to this many."""


def test_readme_production_command_runs_the_entry_with_the_options_serve_uses():
    command = production_command()
    params = uvicorn_cli.make_context("uvicorn", command[1:]).params
    assert params["app"] == app.ENTRY
    assert params["workers"] > 1
    assert {option: params[option] for option in app.UVICORN_OPTIONS} == app.UVICORN_OPTIONS


async def both_workers_started(served: Uvicorn) -> None:
    """Until each worker has logged the end of its lifespan's startup (LISTEN included)."""
    for _ in range(START_LIMIT_SECONDS * 10):
        if served.log.read_text().count("Application startup complete.") == 2:
            return
        assert served.process.returncode is None, served.log.read_text()
        await asyncio.sleep(0.1)
    raise AssertionError(f"two workers did not start:\n{served.log.read_text()}")


async def subscriber(stack: contextlib.AsyncExitStack, served: Uvicorn,
                     token: str) -> GraphQLWs:
    ws = await stack.enter_async_context(
        graphql_ws(served.base.replace("http://", "ws://") + "/graphql", bearer(token)))
    assert (await ws.receive())["type"] == "connection_ack"
    await listening(ws)
    return ws


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serves one process (test_sqlite_lock.py)")
async def test_a_subscriber_on_each_of_two_workers_hears_one_booking(database_url, broker_env,
                                                                     tmp_path):
    async with (uvicorn_process(database_url, tmp_path / "uvicorn.log", workers=2,
                                env=broker_env) as served,
                httpx.AsyncClient(base_url=served.base) as http,
                contextlib.AsyncExitStack() as stack):
        await served.healthy()
        await both_workers_started(served)
        workers = served.worker_pids()
        api = _HttpApi(http)
        setup = await practice(api, self_booking=True, timeZone="UTC",
                               weeklyHours=every_day("00:00", "00:00"))
        held: dict[int, list[GraphQLWs]] = {}
        while len(held) < 2:
            assert sum(map(len, held.values())) < MAX_SUBSCRIBERS, (
                f"every subscriber landed on one worker: {held.keys()} of {workers}")
            for ws in await asyncio.gather(*(subscriber(stack, served, setup.client)
                                             for _ in range(SUBSCRIBERS_PER_ROUND))):
                owner = connection_owner(served.port, ws.connection.local_address[1], workers)
                held.setdefault(owner, []).append(ws)

        booked = await book(api, setup.professional, setup.engagement_id, soon(48))
        heard = {owner: [(await ws.next_data())["hubUpdates"] for ws in sockets]
                 for owner, sockets in held.items()}

    expected = {"kind": "SESSION_BOOKED", "id": booked["session"]["id"]}
    assert len(heard) == 2
    assert {owner: [{"kind": event["kind"], "id": event["session"]["id"]} for event in events]
            for owner, events in heard.items()} == {
        owner: [expected] * len(sockets) for owner, sockets in held.items()}
