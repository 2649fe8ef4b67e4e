"""The served app's LISTEN connection dies (pg_terminate_backend, as a database restart does):
it listens again, and an open hub still hears a booking. PostgreSQL only: SQLite has no listener."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from gateways.events import APPLICATION_NAME
from tests.conftest import ON_POSTGRES
from tests.scheduling_steps import book, every_day, practice, soon
from tests.test_hub_updates import bearer, listening
from tests.test_server import _HttpApi, server  # noqa: F401  (the real served app)
from tests.ws_client import graphql_ws

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no LISTEN connection")


async def ready_again(http: httpx.AsyncClient) -> list[int]:
    """The readiness answers seen until it says ok again (bounded, so a failure cannot hang)."""
    seen: list[int] = []
    for _ in range(600):
        seen.append((await http.get("/health/ready")).status_code)
        if seen[-1] == 200:
            return seen
        await asyncio.sleep(0.05)
    raise AssertionError(f"readiness never came back: {seen[-5:]}")


async def test_an_open_hub_hears_a_booking_after_the_listener_connection_is_killed(
        server, database_url):  # noqa: F811
    async with httpx.AsyncClient(base_url=server) as http:
        api = _HttpApi(http)
        setup = await practice(api, self_booking=True, timeZone="UTC",
                               weeklyHours=every_day("00:00", "00:00"))
        async with graphql_ws(server.replace("http://", "ws://") + "/graphql",
                              bearer(setup.client)) as ws:
            assert (await ws.receive())["type"] == "connection_ack"
            await listening(ws)
            admin = await asyncpg.connect(database_url)
            try:
                killed = await admin.fetch(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = $1 AND datname = current_database()",
                    APPLICATION_NAME)
            finally:
                await admin.close()
            assert [row[0] for row in killed] == [True]
            await ready_again(http)
            booked = await book(api, setup.professional, setup.engagement_id, soon(48))
            heard = (await ws.next_data())["hubUpdates"]
        ready = (await http.get("/health/ready")).json()
    assert heard["kind"] == "SESSION_BOOKED"
    assert heard["session"]["id"] == booked["session"]["id"]
    assert ready == {"status": "ok", "database": "ok", "migrations": "ok", "events": "ok"}
