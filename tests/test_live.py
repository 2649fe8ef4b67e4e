"""Live sessions through the API: joining, sealed signals both ways over real websockets,
who is refused, limits, presence and attendance, and the stream's end.

Mutations go through an app with the publisher's bus: on PostgreSQL that is a second event
bus with its own LISTEN connection, as a second app process has, so every signal and presence
event crosses NOTIFY; on SQLite both share one in-process bus, as one app process does.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from strawberry import relay

from gateways.events import events_for
from models.live import CallParticipant, Signal
from models.scheduling import Session, SessionStatus
from tests.api_client import Api
from tests.hub_steps import client, connect, practice
from tests.live_steps import (
    device_key,
    join,
    leave,
    live_session,
    next_event,
    sealed_blob,
    send,
    signals,
)
from tests.scheduling_steps import CANCEL, RESCHEDULE, every_day, iso, set_availability
from tests.ws_client import served


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


@pytest.fixture
async def http(settings, buses):
    calls = Api(settings, buses[1])
    yield calls
    await calls.aclose()


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_client_and_professional_join_and_exchange_sealed_signals_both_ways(
        api, http, settings, buses):
    live = await live_session(api)
    pro, anna = live.professional.token, live.client_token
    pro_key, anna_key = device_key(), device_key()

    joined = await join(http, pro, live.session_id, pro_key)
    assert joined["userErrors"] == []
    call = joined["call"]
    assert call["sessionId"] == live.session_id
    assert call["role"] == "PROFESSIONAL"
    assert call["me"]["present"] is True
    assert call["me"]["devicePublicKey"] == pro_key
    assert call["peer"] == {"role": "CLIENT", "name": "Anna", "present": False,
                            "devicePublicKey": None, "firstJoinedAt": None, "joinedAt": None,
                            "leftAt": None}

    async with served(settings, buses[0]) as url, \
            signals(url, pro, live.session_id) as pro_ws:
        anna_call = (await join(http, anna, live.session_id, anna_key))["call"]
        assert anna_call["peer"]["devicePublicKey"] == pro_key
        assert anna_call["peer"]["name"] == "Sigrún"
        heard = await next_event(pro_ws)
        assert heard["kind"] == "PEER_JOINED"
        assert heard["peer"]["devicePublicKey"] == anna_key
        assert heard["peer"]["present"] is True

        async with signals(url, anna, live.session_id) as anna_ws:
            already = await next_event(anna_ws)
            assert (already["kind"], already["peer"]["devicePublicKey"]) == ("PEER_JOINED",
                                                                             pro_key)
            offer, answer = sealed_blob(), sealed_blob()
            assert await send(http, pro, live.session_id, offer) == {"accepted": True,
                                                                      "userErrors": []}
            assert await next_event(anna_ws) == {"kind": "SIGNAL", "sessionId": live.session_id,
                                                 "payload": offer, "peer": None}
            assert (await send(http, anna, live.session_id, answer))["accepted"] is True
            assert (await next_event(pro_ws))["payload"] == answer

    # Delivered signals are not kept.
    assert await CallParticipant.filter(session_id=live.session.id).count() == 2
    assert await Signal.filter(session_id=live.session.id).count() == 0


async def test_a_signal_sent_before_the_peer_listens_waits_for_its_stream(
        api, http, settings, buses):
    live = await live_session(api)
    pro, anna = live.professional.token, live.client_token
    await join(http, pro, live.session_id)
    await join(http, anna, live.session_id)
    offer = sealed_blob()
    assert (await send(http, pro, live.session_id, offer))["accepted"] is True

    async with served(settings, buses[0]) as url, signals(url, anna, live.session_id) as ws:
        assert (await next_event(ws))["kind"] == "PEER_JOINED"
        assert (await next_event(ws))["payload"] == offer


async def test_another_account_cannot_join_send_or_listen_even_the_clients_other_professional(
        api, http, settings, buses):
    live = await live_session(api)
    other = await practice(api, "gudrun@example.com", "Guðrún", ["Physio"])
    await connect(api, live.client_token, other, "Physio")
    stranger = await client(api, "bjarni@example.com", "Bjarni")
    await join(http, live.professional.token, live.session_id)
    missing = relay.to_base64("Session", "00000000-0000-4000-8000-000000000000")

    for token in (other.token, stranger):
        refused = await join(http, token, live.session_id)
        assert refused == await join(http, token, missing)
        assert refused["call"] is None
        assert codes(refused) == ["NOT_FOUND"]
        sent = await send(http, token, live.session_id, sealed_blob())
        assert sent == {"accepted": False, "userErrors": refused["userErrors"]}

    async with served(settings, buses[0]) as url:
        for token in (other.token, stranger):
            async with signals(url, token, live.session_id) as ws:
                message = await ws.receive()
                assert message["type"] == "next", message
                assert message["payload"]["data"] is None
                assert message["payload"]["errors"] == [{
                    "message": "That session does not exist, or it is not yours.",
                    "extensions": {"code": "NOT_FOUND"}}]
                assert await ws.receive() == {"id": "1", "type": "complete"}
    assert await CallParticipant.filter(session_id=live.session.id).count() == 1


@pytest.mark.parametrize(("starts_in", "status", "code"), [
    (timedelta(hours=2), SessionStatus.SCHEDULED, "TOO_EARLY"),
    (timedelta(hours=-2), SessionStatus.SCHEDULED, "SESSION_OVER"),
    (timedelta(minutes=5), SessionStatus.CANCELLED, "SESSION_NOT_SCHEDULED"),
])
async def test_joining_outside_the_window_or_a_session_not_scheduled_is_a_clear_user_error(
        api, http, starts_in, status, code):
    live = await live_session(api, starts_in=starts_in, status=status)
    for token in (live.client_token, live.professional.token):
        refused = await join(http, token, live.session_id)
        assert refused["call"] is None
        assert codes(refused) == [code]
        assert refused["userErrors"][0]["field"] == "sessionId"
    assert await CallParticipant.filter(session_id=live.session.id).count() == 0


async def test_joining_opens_join_window_minutes_before_the_start(api, http, settings):
    window = timedelta(minutes=settings.join_window_minutes)
    early = await live_session(api, starts_in=window + timedelta(minutes=2))
    refused = await join(http, early.client_token, early.session_id)
    opens = (early.session.starts_at - window).isoformat()
    assert opens in refused["userErrors"][0]["message"]
    await Session.filter(id=early.session.id).update(
        starts_at=datetime.now(UTC) + window - timedelta(minutes=1))
    assert (await join(http, early.client_token, early.session_id))["userErrors"] == []


async def test_a_malformed_device_key_is_refused(api, http):
    live = await live_session(api)
    for key in ("", "not a key", "A" * 42, "A" * 44 + "+/"):
        refused = await join(http, live.client_token, live.session_id, key)
        assert codes(refused) == ["INVALID_INPUT"], key
        assert refused["userErrors"][0]["field"] == "devicePublicKey"


async def test_sending_before_joining_is_refused(api, http):
    live = await live_session(api)
    refused = await send(http, live.client_token, live.session_id, sealed_blob())
    assert refused["accepted"] is False
    assert codes(refused) == ["NOT_JOINED"]


async def test_oversized_and_too_frequent_signals_are_refused_without_disturbing_the_peer(
        api, settings, buses):
    limited = settings.with_changes(signal_max_bytes=400, signal_rate_per_minute=3)
    http = Api(limited, buses[1])
    live = await live_session(api)
    pro, anna = live.professional.token, live.client_token
    await join(http, pro, live.session_id)
    if datetime.now(UTC).second >= 50:  # the counter's minute must not turn mid-test
        await asyncio.sleep(61 - datetime.now(UTC).second)
    async with served(limited, buses[0]) as url, signals(url, pro, live.session_id) as pro_ws:
        await join(http, anna, live.session_id)
        assert (await next_event(pro_ws))["kind"] == "PEER_JOINED"

        too_big = await send(http, anna, live.session_id, "A" * 401)
        assert too_big["accepted"] is False
        assert codes(too_big) == ["SIGNAL_TOO_LARGE"]
        assert "400 bytes" in too_big["userErrors"][0]["message"]
        sent = [sealed_blob(100) for _ in range(4)]
        answers = [await send(http, anna, live.session_id, blob) for blob in sent]
        assert [a["accepted"] for a in answers] == [True, True, True, False]
        assert codes(answers[3]) == ["RATE_LIMITED"]
        assert "3 a minute" in answers[3]["userErrors"][0]["message"]

        assert [(await next_event(pro_ws))["payload"] for _ in range(3)] == sent[:3]
        await leave(http, anna, live.session_id)
        after = await next_event(pro_ws)
        assert after["kind"] == "PEER_LEFT"
    await http.aclose()


async def test_cancelling_the_session_ends_both_signal_streams(api, http, settings, buses):
    live = await live_session(api)
    pro, anna = live.professional.token, live.client_token
    await join(http, pro, live.session_id)
    await join(http, anna, live.session_id)
    async with served(settings, buses[0]) as url, \
            signals(url, pro, live.session_id) as pro_ws, \
            signals(url, anna, live.session_id) as anna_ws:
        for ws in (pro_ws, anna_ws):
            assert (await next_event(ws))["kind"] == "PEER_JOINED"
        cancelled = (await http.data(CANCEL, {"input": {"sessionId": live.session_id}},
                                     token=pro))["cancelSession"]
        assert cancelled["userErrors"] == []
        for ws in (pro_ws, anna_ws):
            assert await next_event(ws) == {"kind": "SESSION_ENDED",
                                             "sessionId": live.session_id, "payload": None,
                                             "peer": None}
            assert await ws.receive() == {"id": "1", "type": "complete"}
    assert codes(await join(http, anna, live.session_id)) == ["SESSION_NOT_SCHEDULED"]


async def test_the_peer_hears_joins_and_leaves_and_attendance_is_recorded(
        api, http, settings, buses):
    live = await live_session(api)
    pro, anna = live.professional.token, live.client_token
    await join(http, pro, live.session_id)
    async with served(settings, buses[0]) as url, signals(url, pro, live.session_id) as ws:
        first_key, second_key = device_key(), device_key()
        await join(http, anna, live.session_id, first_key)
        assert (await next_event(ws))["peer"]["devicePublicKey"] == first_key
        left = await leave(http, anna, live.session_id)
        assert left["call"]["me"]["present"] is False
        assert left["call"]["iceServers"] == []
        gone = await next_event(ws)
        assert gone["kind"] == "PEER_LEFT"
        assert gone["peer"]["present"] is False
        assert gone["peer"]["devicePublicKey"] == first_key
        await join(http, anna, live.session_id, second_key)
        back = await next_event(ws)
        assert (back["kind"], back["peer"]["devicePublicKey"]) == ("PEER_JOINED", second_key)

    row = await CallParticipant.get(session_id=live.session.id,
                                    account_id=live.session.client_id)
    assert row.left_at is None
    assert row.first_joined_at < row.joined_at
    session = await Session.get(id=live.session.id)
    assert session.client_joined_at == row.first_joined_at
    assert session.professional_joined_at is not None


async def test_moving_the_session_ends_both_signal_streams(api, http, settings, buses):
    live = await live_session(api)
    pro, anna = live.professional.token, live.client_token
    await set_availability(api, pro, timeZone="UTC", weeklyHours=every_day("00:00", "23:00"))
    tomorrow_at_ten = datetime.combine(datetime.now(UTC).date() + timedelta(days=1),
                                       time(10), UTC)
    await join(http, pro, live.session_id)
    await join(http, anna, live.session_id)
    async with served(settings, buses[0]) as url, \
            signals(url, pro, live.session_id) as pro_ws, \
            signals(url, anna, live.session_id) as anna_ws:
        for ws in (pro_ws, anna_ws):
            assert (await next_event(ws))["kind"] == "PEER_JOINED"
        moved = (await http.data(RESCHEDULE, {"input": {
            "sessionId": live.session_id, "startsAt": iso(tomorrow_at_ten)}},
            token=pro))["rescheduleSession"]
        assert moved["userErrors"] == []
        for ws in (pro_ws, anna_ws):
            assert (await next_event(ws))["kind"] == "SESSION_ENDED"
            assert await ws.receive() == {"id": "1", "type": "complete"}
    assert codes(await join(http, anna, live.session_id)) == ["TOO_EARLY"]


async def test_the_streams_end_when_the_session_reaches_its_end(api, http, settings, buses):
    live = await live_session(api, starts_in=timedelta(minutes=-49))
    await Session.filter(id=live.session.id).update(
        ends_at=datetime.now(UTC) + timedelta(seconds=2))
    await join(http, live.client_token, live.session_id)
    async with served(settings, buses[0]) as url, \
            signals(url, live.client_token, live.session_id) as ws:
        assert (await next_event(ws))["kind"] == "SESSION_ENDED"
        assert await ws.receive() == {"id": "1", "type": "complete"}
    assert codes(await join(http, live.client_token, live.session_id)) == ["SESSION_OVER"]


async def test_a_signal_that_expired_unheard_is_not_delivered(api, http, settings, buses):
    live = await live_session(api)
    pro, anna = live.professional.token, live.client_token
    await join(http, pro, live.session_id)
    await join(http, anna, live.session_id)
    stale, fresh = sealed_blob(), sealed_blob()
    await send(http, pro, live.session_id, stale)
    await Signal.filter(session_id=live.session.id).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1))
    await send(http, pro, live.session_id, fresh)

    assert await Signal.filter(session_id=live.session.id).count() == 1  # the stale one went
    async with served(settings, buses[0]) as url, signals(url, anna, live.session_id) as ws:
        assert (await next_event(ws))["kind"] == "PEER_JOINED"
        assert (await next_event(ws))["payload"] == fresh


async def test_listening_before_the_join_window_is_refused_with_a_clean_error(
        api, settings, buses):
    live = await live_session(api, starts_in=timedelta(hours=2))
    async with served(settings, buses[0]) as url, \
            signals(url, live.client_token, live.session_id) as ws:
        message = await ws.receive()
        assert message["payload"]["errors"][0]["extensions"] == {"code": "TOO_EARLY"}
        assert await ws.receive() == {"id": "1", "type": "complete"}


async def test_a_payload_that_is_not_base64url_is_refused(api, http):
    live = await live_session(api)
    await join(http, live.client_token, live.session_id)
    for payload in ("", "v=0\r\no=- 1 1 IN IP4 0.0.0.0", "a=fingerprint:sha-256 AB:CD"):
        refused = await send(http, live.client_token, live.session_id, payload)
        assert codes(refused) == ["INVALID_INPUT"], payload
