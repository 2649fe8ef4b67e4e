"""The event bus that carries subscription events between app processes."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from gateways.events import events_for
from tests.conftest import ON_POSTGRES


@pytest.fixture
async def two_processes(database_url):
    """Two buses as two app processes would have; on SQLite they share this process."""
    first = events_for(database_url)
    second = events_for(database_url) if ON_POSTGRES else first
    for bus in {first, second}:
        await bus.start()
    yield first, second
    for bus in {first, second}:
        await bus.stop()


async def test_an_event_published_by_one_process_reaches_a_listener_in_another(two_processes):
    publisher, listener = two_processes
    async with listener.listen("account:1") as queue, listener.listen("account:2") as other:
        await publisher.publish("account:1", {"kind": "SESSION_BOOKED", "sessionId": "s1"})
        event = await asyncio.wait_for(queue.get(), timeout=5)
        assert event == {"kind": "SESSION_BOOKED", "sessionId": "s1"}
        assert other.empty()


@pytest.mark.skipif(not ON_POSTGRES, reason="in-process events on SQLite are not transactional")
async def test_an_event_inside_a_rolled_back_transaction_is_never_delivered(two_processes):
    publisher, listener = two_processes
    async with listener.listen("account:1") as queue:
        with pytest.raises(RuntimeError, match="booking failed"):
            await _publish_then_fail(publisher)
        async with in_transaction():
            await publisher.publish("account:1", {"kind": "SESSION_CANCELLED"})
        event = await asyncio.wait_for(queue.get(), timeout=5)
        assert event == {"kind": "SESSION_CANCELLED"}
        assert queue.empty()


async def _publish_then_fail(publisher) -> None:
    async with in_transaction():
        await publisher.publish("account:1", {"kind": "SESSION_BOOKED"})
        raise RuntimeError("booking failed")
