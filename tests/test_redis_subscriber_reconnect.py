"""The served app's Redis subscriber connection is killed (CLIENT KILL from a second client, as a
Redis restart or a proxy's idle timeout does): readiness says so while it cannot subscribe, it
subscribes again, and an open hub still hears a booking. The shared Redis server keeps running:
only the app's own Redis user is switched off and its connections killed."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis.asyncio as aioredis

from tests.app_process import served_app
from tests.scheduling_steps import book, every_day, practice, soon
from tests.test_event_listener_reconnect import ready_again
from tests.test_hub_updates import bearer, listening
from tests.test_server import _HttpApi
from tests.ws_client import graphql_ws


@pytest.fixture
async def own_redis_user(redis_url: str) -> AsyncIterator[tuple[aioredis.Redis, str, str]]:
    """A Redis user of this test only (pub/sub and connection commands), the admin client that
    made it, and the URL the app connects with."""
    admin = aioredis.from_url(redis_url)
    name = f"therapyhub-test-{os.getpid()}-{secrets.token_hex(4)}"
    password = secrets.token_hex(16)
    await admin.acl_setuser(name, enabled=True, passwords=[f"+{password}"],
                            commands=["+@pubsub", "+@connection"], channels=["*"])
    parts = urlsplit(redis_url)
    url = urlunsplit(parts._replace(netloc=f"{name}:{password}@{parts.hostname}:{parts.port}"))
    try:
        yield admin, name, url
    finally:
        await admin.acl_deluser(name)
        await admin.aclose()


async def unready(http: httpx.AsyncClient) -> dict[str, str]:
    """The first readiness answer that is not ok (bounded, so a failure cannot hang)."""
    for _ in range(600):
        answer = await http.get("/health/ready")
        if answer.status_code != 200:
            assert answer.status_code == 503
            return answer.json()
        await asyncio.sleep(0.05)
    raise AssertionError("readiness stayed ok while the event subscriber was cut off")


async def test_an_open_hub_hears_a_booking_after_the_redis_connection_is_killed(
        database_url, own_redis_user, tmp_path):
    admin, user, url = own_redis_user
    async with served_app(database_url, tmp_path / "app.log", REDIS_URL=url) as server, \
            httpx.AsyncClient(base_url=server) as http:
        api = _HttpApi(http)
        setup = await practice(api, self_booking=True, timeZone="UTC",
                               weeklyHours=every_day("00:00", "00:00"))
        async with graphql_ws(server.replace("http://", "ws://") + "/graphql",
                              bearer(setup.client)) as ws:
            assert (await ws.receive())["type"] == "connection_ack"
            await listening(ws)
            await admin.acl_setuser(user, enabled=False)  # keeps its rules, refuses new logins
            killed = await admin.execute_command("CLIENT", "KILL", "USER", user)
            assert killed >= 1
            meanwhile = await unready(http)
            await admin.acl_setuser(user, enabled=True)
            await ready_again(http)
            booked = await book(api, setup.professional, setup.engagement_id, soon(48))
            heard = (await ws.next_data())["hubUpdates"]
        ready = (await http.get("/health/ready")).json()
    assert meanwhile == {"status": "unavailable", "database": "ok", "migrations": "ok",
                         "events": "down"}
    assert heard["kind"] == "SESSION_BOOKED"
    assert heard["session"]["id"] == booked["session"]["id"]
    assert ready == {"status": "ok", "database": "ok", "migrations": "ok", "events": "ok"}
