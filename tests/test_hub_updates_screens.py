"""hubUpdates beyond sessions: requests answered, invitations accepted, engagements ended and
payments paid, failed or refunded reach an open screen over a real websocket, carrying the
object as it is now, so the screen patches it instead of refetching.

The mutations go through an app on the publisher's bus: on PostgreSQL that is a second bus
(its own LISTEN connection, as a second app process has), so events cross NOTIFY; on SQLite
both apps share one in-process bus, as one app process does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from gateways.events import events_for
from tests.api_client import Api
from tests.mailbox import token_in
from tests.payment_steps import (
    REFUND,
    book,
    charge,
    engaged_practice,
    record_manual,
    save_card,
)
from tests.practice_steps import (
    APPROVE,
    DECLINE,
    END,
    accept_as_new,
    client,
    create_service,
    invite,
    professional,
    request,
)
from tests.ws_client import graphql_ws, served

HUB_UPDATES = """subscription { hubUpdates {
  kind session { id }
  engagement { id status declineReason }
  invitation { id status }
  payment { id status receiptNumber refunded { amount } failureCode }
} }"""


@pytest.fixture
async def buses(bus_settings, broker):
    """The served app's bus and a publisher's bus, as two app processes would have."""
    app_bus = events_for(bus_settings)
    publisher = events_for(bus_settings) if broker != "in_process" else app_bus
    for bus in {app_bus, publisher}:
        await bus.start()
    yield app_bus, publisher
    for bus in {app_bus, publisher}:
        await bus.stop()


@asynccontextmanager
async def hub(settings, bus, token: str) -> AsyncIterator[Any]:
    """An open hub of the person with `token`, past LISTENING."""
    async with served(settings, bus) as url, \
            graphql_ws(url, {"authorization": f"Bearer {token}"}) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.subscribe(HUB_UPDATES)
        assert (await ws.next_data())["hubUpdates"]["kind"] == "LISTENING"
        yield ws


async def heard(ws) -> dict[str, Any]:
    return (await ws.next_data())["hubUpdates"]


async def _requested(api) -> tuple[str, str, str]:
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    anna = await client(api)
    requested = await request(api, anna, service)
    assert requested["userErrors"] == []
    return sigrun, anna, requested["engagement"]["id"]


async def test_the_client_hears_their_request_approved(api, settings, buses):
    app_bus, publisher = buses
    sigrun, anna, engagement_id = await _requested(api)
    async with hub(settings, app_bus, anna) as ws, Api(settings, publisher) as acting:
        await acting.data(APPROVE, {"input": {"engagementId": engagement_id}}, token=sigrun)
        update = await heard(ws)
    assert update["kind"] == "REQUEST_APPROVED"
    assert update["engagement"]["id"] == engagement_id
    assert update["engagement"]["status"] == "ACTIVE"
    assert (update["session"], update["payment"], update["invitation"]) == (None, None, None)


async def test_the_client_hears_their_request_declined(api, settings, buses):
    app_bus, publisher = buses
    sigrun, anna, engagement_id = await _requested(api)
    async with hub(settings, app_bus, anna) as ws, Api(settings, publisher) as acting:
        await acting.data(DECLINE, {"input": {"engagementId": engagement_id,
                                              "reason": "My list is full."}}, token=sigrun)
        update = await heard(ws)
    assert update["kind"] == "REQUEST_DECLINED"
    assert update["engagement"] == {"id": engagement_id, "status": "DECLINED",
                                    "declineReason": "My list is full."}


async def test_the_professional_hears_their_invitation_accepted(api, settings, buses,
                                                                 mailbox):
    app_bus, publisher = buses
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    invitation = await invite(api, sigrun, service["id"])
    await mailbox.deliver()
    token = token_in(mailbox.last("anna@example.com"))
    async with hub(settings, app_bus, sigrun) as ws, Api(settings, publisher) as acting:
        accepted = await accept_as_new(acting, token, service)
        update = await heard(ws)
    assert accepted["userErrors"] == []
    assert update["kind"] == "INVITATION_ACCEPTED"
    assert update["engagement"]["id"] == accepted["engagement"]["id"]
    assert update["engagement"]["status"] == "ACTIVE"
    assert update["invitation"] == {"id": invitation["id"], "status": "ACCEPTED"}


async def test_the_professional_hears_the_client_end_the_engagement(api, settings, buses):
    app_bus, publisher = buses
    sigrun, anna, engagement_id = await _requested(api)
    await api.data(APPROVE, {"input": {"engagementId": engagement_id}}, token=sigrun)
    async with hub(settings, app_bus, sigrun) as ws, Api(settings, publisher) as acting:
        await acting.data(END, {"input": {"engagementId": engagement_id}}, token=anna)
        update = await heard(ws)
    assert update["kind"] == "ENGAGEMENT_ENDED"
    assert update["engagement"]["status"] == "ENDED"


async def test_the_client_hears_a_payment_paid(api, settings, buses):
    app_bus, publisher = buses
    practice = await engaged_practice(api, price={"amount": 15000, "currency": "ISK"})
    session = await book(practice)
    async with hub(settings, app_bus, practice.client) as ws, \
            Api(settings, publisher) as acting:
        paid = (await record_manual(acting, practice.professional, session))["payment"]
        update = await heard(ws)
    assert update["kind"] == "PAYMENT_PAID"
    assert update["payment"]["id"] == paid["id"]
    assert update["payment"]["status"] == "PAID"
    assert update["payment"]["receiptNumber"] == 1


async def test_the_client_hears_a_payment_refunded(api, settings, buses):
    app_bus, publisher = buses
    practice = await engaged_practice(api, price={"amount": 15000, "currency": "ISK"})
    paid = (await record_manual(api, practice.professional, await book(practice)))["payment"]
    async with hub(settings, app_bus, practice.client) as ws, \
            Api(settings, publisher) as acting:
        await acting.data(REFUND, {"input": {"paymentId": paid["id"], "amount": 5000}},
                          token=practice.professional)
        update = await heard(ws)
    assert update["kind"] == "PAYMENT_REFUNDED"
    assert update["payment"]["refunded"] == {"amount": 5000}
    assert update["payment"]["status"] == "PAID"  # in part: REFUNDED once all of it is


async def test_the_client_hears_a_card_payment_fail(stripe_api, stripe_settings, fake_stripe,
                                                   buses):
    app_bus, publisher = buses
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="decline",
                    decline_code="insufficient_funds")
    session = await book(practice)
    async with hub(stripe_settings, app_bus, practice.client) as ws, \
            Api(stripe_settings, publisher) as acting:
        await charge(acting, practice, session)
        update = await heard(ws)
    assert update["kind"] == "PAYMENT_FAILED"
    assert update["payment"]["status"] == "FAILED"
    assert update["payment"]["failureCode"] == "insufficient_funds"
