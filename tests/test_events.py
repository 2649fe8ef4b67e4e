"""The event bus that carries subscription events between app processes, on each broker."""

from __future__ import annotations

import asyncio
import contextvars

import pytest
from tortoise.transactions import in_transaction

from gateways.events import events_for


@pytest.fixture
async def two_processes(bus_settings, broker):
    """Two buses as two app processes would have; in process they share this process."""
    first = events_for(bus_settings)
    second = events_for(bus_settings) if broker != "in_process" else first
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


async def test_an_event_inside_a_transaction_is_delivered_only_once_it_commits(two_processes):
    """An event published outside any transaction while the transaction is still open
    arrives first: the one inside waited for the commit."""
    publisher, listener = two_processes
    async with listener.listen("account:1") as queue:
        async with in_transaction():
            await publisher.publish("account:1", {"kind": "SESSION_BOOKED"})
            # A task in a fresh context is outside this transaction, as another request is.
            await asyncio.create_task(
                publisher.publish("account:1", {"kind": "PARTICIPANT_JOINED"}),
                context=contextvars.Context())
        heard = [await asyncio.wait_for(queue.get(), timeout=5) for _ in range(2)]
    assert heard == [{"kind": "PARTICIPANT_JOINED"}, {"kind": "SESSION_BOOKED"}]
