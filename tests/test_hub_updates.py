"""The hubUpdates subscription over a real websocket (graphql-transport-ws).

On PostgreSQL the test publishes through a second event bus (its own LISTEN connection, as a
second app process has), so events cross the database's NOTIFY; on SQLite both share one
in-process bus, as one app process does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from app import create_app
from gateways.events import events_for
from models.scheduling import Session, SessionStatus
from tests.app_process import served_app
from tests.conftest import ON_POSTGRES, Api
from tests.hub_steps import account, add_session, client, connect, practice
from tests.scheduling_steps import CANCEL, book, every_day, soon
from tests.scheduling_steps import practice as scheduling_practice
from tests.ws_client import graphql_ws, served

LOGOUT = "mutation($input: LogoutInput!) { logout(input: $input) { signedOut } }"
HUB_UPDATES = """subscription { hubUpdates {
  kind session { id status startsAt canJoin service { title } professional { displayName } }
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


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def listening(ws) -> None:
    await ws.subscribe(HUB_UPDATES)
    assert (await ws.next_data())["hubUpdates"] == {"kind": "LISTENING", "session": None}


async def test_an_open_hub_hears_its_sessions_booked_moved_and_cancelled(api, settings, buses):
    app_bus, publisher = buses
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    anna_token = await client(api, "anna@example.com", "Anna")
    bjarni_token = await client(api, "bjarni@example.com", "Bjarni")
    anna, bjarni = await account("anna@example.com"), await account("bjarni@example.com")
    annas = await connect(api, anna_token, sigrun, "Counselling")
    bjarnis = await connect(api, bjarni_token, sigrun, "Counselling")
    starts = datetime.now(UTC) + timedelta(days=2)

    async with served(settings, app_bus) as url, \
            graphql_ws(url, bearer(anna_token)) as anna_ws, \
            graphql_ws(url, bearer(bjarni_token)) as bjarni_ws:
        for ws in (anna_ws, bjarni_ws):
            assert (await ws.receive())["type"] == "connection_ack"
            await listening(ws)

        session = await add_session(annas, starts, SessionStatus.SCHEDULED)
        await publisher.publish(f"account:{anna.id}",
                                {"kind": "session_booked", "sessionId": str(session.id)})
        booked = (await anna_ws.next_data())["hubUpdates"]
        assert booked["kind"] == "SESSION_BOOKED"
        assert booked["session"]["status"] == "SCHEDULED"
        assert booked["session"]["service"] == {"title": "Counselling"}
        assert booked["session"]["professional"] == {"displayName": "Sigrún"}

        moved_to = starts + timedelta(hours=3)
        await Session.filter(id=session.id).update(starts_at=moved_to,
                                                   ends_at=moved_to + timedelta(minutes=50))
        await publisher.publish(f"account:{anna.id}",
                                {"kind": "session_rescheduled", "sessionId": str(session.id)})
        moved = (await anna_ws.next_data())["hubUpdates"]
        assert moved["kind"] == "SESSION_RESCHEDULED"
        assert moved["session"]["startsAt"] == moved_to.isoformat()

        await Session.filter(id=session.id).update(status=SessionStatus.CANCELLED)
        await publisher.publish(f"account:{anna.id}",
                                {"kind": "session_cancelled", "sessionId": str(session.id)})
        cancelled = (await anna_ws.next_data())["hubUpdates"]
        assert cancelled["kind"] == "SESSION_CANCELLED"
        assert cancelled["session"]["status"] == "CANCELLED"

        # An event naming someone else's session is dropped: Bjarni's next update is his own.
        await publisher.publish(f"account:{bjarni.id}",
                                {"kind": "session_booked", "sessionId": str(session.id)})
        own = await add_session(bjarnis, starts + timedelta(days=1), SessionStatus.SCHEDULED)
        await publisher.publish(f"account:{bjarni.id}",
                                {"kind": "session_booked", "sessionId": str(own.id)})
        heard = (await bjarni_ws.next_data())["hubUpdates"]
        assert heard["kind"] == "SESSION_BOOKED"
        assert heard["session"]["startsAt"] == own.starts_at.isoformat()


async def test_the_hub_announces_a_session_when_its_join_window_opens(api, settings, buses):
    app_bus, _ = buses
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    anna_token = await client(api, "anna@example.com", "Anna")
    engagement = await connect(api, anna_token, sigrun, "Counselling")
    soon = datetime.now(UTC) + timedelta(minutes=settings.join_window_minutes, seconds=2)
    session = await add_session(engagement, soon, SessionStatus.SCHEDULED)

    async with served(settings, app_bus) as url, graphql_ws(url, bearer(anna_token)) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await listening(ws)
        starting = (await ws.next_data())["hubUpdates"]

    assert starting["kind"] == "SESSION_STARTING"
    assert starting["session"]["startsAt"] == session.starts_at.isoformat()
    assert starting["session"]["canJoin"] is True


async def test_after_logout_an_open_hub_hears_nothing_more_and_is_told_to_sign_in(
        api, settings, buses):
    app_bus, publisher = buses
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    anna_token = await client(api, "anna@example.com", "Anna")
    anna = await account("anna@example.com")
    engagement = await connect(api, anna_token, sigrun, "Counselling")
    session = await add_session(engagement, datetime.now(UTC) + timedelta(days=2),
                                SessionStatus.SCHEDULED)

    async with served(settings, app_bus) as url, graphql_ws(url, bearer(anna_token)) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await listening(ws)
        await api.data(LOGOUT, {"input": {}}, token=anna_token)
        await publisher.publish(f"account:{anna.id}",
                                {"kind": "session_booked", "sessionId": str(session.id)})
        message = await ws.receive()

    assert message["type"] in {"error", "next"}, message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Counselling" not in str(message)


async def test_a_token_that_signs_no_one_in_closes_the_socket(settings, buses):
    async with served(settings, buses[0]) as url, \
            graphql_ws(url, bearer("not-a-real-token")) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.receive()
    assert closed.value.rcvd.code == 4403


async def test_without_a_token_the_subscription_asks_to_sign_in(settings, buses):
    async with served(settings, buses[0]) as url, graphql_ws(url) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.subscribe(HUB_UPDATES)
        message = await ws.receive()
    assert message["type"] in {"error", "next"}
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.skipif(not ON_POSTGRES, reason="another process hears events only through "
                                            "a broker; SQLite serves one process")
async def test_a_served_app_process_hears_an_event_published_by_another_process(
        api, database_url, broker_env, buses, tmp_path):
    _, publisher = buses
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    anna_token = await client(api, "anna@example.com", "Anna")
    anna = await account("anna@example.com")
    engagement = await connect(api, anna_token, sigrun, "Counselling")
    session = await add_session(engagement, datetime.now(UTC) + timedelta(days=1),
                                SessionStatus.SCHEDULED)
    async with served_app(database_url, tmp_path / "app.log", **broker_env) as server:
        url = server.replace("http://", "ws://") + "/graphql"
        async with graphql_ws(url, bearer(anna_token)) as ws:
            assert (await ws.receive())["type"] == "connection_ack"
            await listening(ws)
            await publisher.publish(f"account:{anna.id}",
                                    {"kind": "session_booked", "sessionId": str(session.id)})
            booked = (await ws.next_data())["hubUpdates"]
    assert booked["kind"] == "SESSION_BOOKED"
    assert booked["session"]["service"] == {"title": "Counselling"}


async def test_a_booking_through_one_app_instance_reaches_a_hub_open_on_another(
        api, settings, buses):
    """The booking mutations publish; the hub on the other instance hears it (PostgreSQL:
    two buses, two LISTEN connections, NOTIFY between them)."""
    app_bus, other_bus = buses
    setup = await scheduling_practice(api, self_booking=True, timeZone="UTC",
                                      weeklyHours=every_day("00:00", "00:00"))
    other = Api(settings)
    other.http = httpx.AsyncClient(transport=httpx.ASGITransport(
        app=create_app(settings, manage_database=False, events=other_bus)),
        base_url="http://other.test")
    async with served(settings, app_bus) as url, other, \
            graphql_ws(url, bearer(setup.client)) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await listening(ws)
        booked = await book(other, setup.professional, setup.engagement_id, soon(48))
        assert booked["userErrors"] == []
        heard = (await ws.next_data())["hubUpdates"]
        assert heard["kind"] == "SESSION_BOOKED"
        assert heard["session"]["id"] == booked["session"]["id"]
        await other.data(CANCEL, {"input": {"sessionId": booked["session"]["id"]}},
                         token=setup.client)
        cancelled = (await ws.next_data())["hubUpdates"]
    assert cancelled["kind"] == "SESSION_CANCELLED"
    assert cancelled["session"]["status"] == "CANCELLED"
