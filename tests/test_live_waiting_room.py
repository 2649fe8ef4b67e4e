"""The waiting room: the hub and the practice show who is in a session's call, hubUpdates
says when that changes, and the join is in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateways.events import Events
from models.audit import AuditEntry
from models.practice import Engagement
from models.scheduling import SessionStatus
from tests.api_client import Api
from tests.hub_steps import add_session
from tests.live_steps import device_key, join, leave, live_session
from tests.sql_count import counting_statements, sign_ins_seen_now
from tests.ws_client import graphql_ws, served

ATTENDANCE = "attendance { role name present devicePublicKey firstJoinedAt joinedAt leftAt }"
HUB = f"{{ hub {{ upcomingSessions(first: 10) {{ id {ATTENDANCE} }} }} }}"
PRACTICE = f"{{ practice {{ weekSessions {{ id {ATTENDANCE} }} }} }}"
HUB_UPDATES = f"subscription {{ hubUpdates {{ kind session {{ id {ATTENDANCE} }} }} }}"


async def test_the_hub_shows_who_is_waiting_with_as_many_statements_for_many_sessions(api):
    live = await live_session(api)
    engagement = await Engagement.get(id=live.session.engagement_id)
    await sign_ins_seen_now()
    with counting_statements() as one:
        await api.data(HUB, token=live.client_token)
    for day in range(1, 6):
        await add_session(engagement, datetime.now(UTC) + timedelta(days=day),
                          SessionStatus.SCHEDULED)
    key = device_key()
    await join(api, live.professional.token, live.session_id, key)
    await sign_ins_seen_now()
    with counting_statements() as six:
        upcoming = (await api.data(HUB, token=live.client_token))["hub"]["upcomingSessions"]

    assert len(upcoming) == 6
    assert len(one) == len(six), (one, six)
    client, professional = upcoming[0]["attendance"]
    assert upcoming[0]["id"] == live.session_id
    assert client == {"role": "CLIENT", "name": "Anna", "present": False,
                      "devicePublicKey": None, "firstJoinedAt": None, "joinedAt": None,
                      "leftAt": None}
    assert professional["role"] == "PROFESSIONAL"
    assert professional["name"] == "Sigrún"
    assert professional["present"] is True
    assert professional["devicePublicKey"] == key
    assert all(not p["present"] for s in upcoming[1:] for p in s["attendance"])


async def test_the_practice_sees_when_the_client_joined_and_left_for_its_no_show_decision(api):
    live = await live_session(api)
    await join(api, live.client_token, live.session_id)
    await leave(api, live.client_token, live.session_id)
    week = (await api.data(PRACTICE, token=live.professional.token))["practice"]["weekSessions"]

    client = next(s for s in week if s["id"] == live.session_id)["attendance"][0]
    assert client["role"] == "CLIENT"
    assert client["present"] is False
    assert client["firstJoinedAt"] is not None
    assert client["leftAt"] >= client["joinedAt"] == client["firstJoinedAt"]


async def test_an_open_hub_hears_the_professional_join_and_leave(api, settings):
    live = await live_session(api)
    bus = Events()
    http = Api(settings, bus)
    async with served(settings, bus) as url, graphql_ws(
            url, {"authorization": f"Bearer {live.client_token}"}) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.subscribe(HUB_UPDATES)
        assert (await ws.next_data())["hubUpdates"]["kind"] == "LISTENING"
        await join(http, live.professional.token, live.session_id)
        joined = (await ws.next_data())["hubUpdates"]
        await leave(http, live.professional.token, live.session_id)
        left = (await ws.next_data())["hubUpdates"]
    await http.aclose()

    assert joined["kind"] == "PARTICIPANT_JOINED"
    assert joined["session"]["id"] == live.session_id
    assert [p["present"] for p in joined["session"]["attendance"]] == [False, True]
    assert left["kind"] == "PARTICIPANT_LEFT"
    assert [p["present"] for p in left["session"]["attendance"]] == [False, False]


async def test_joining_is_in_the_audit_log(api):
    live = await live_session(api)
    await join(api, live.client_token, live.session_id)

    entry = await AuditEntry.get(action="join_session")
    assert entry.subject_id == live.session.id
    assert entry.person_id == live.session.client_id
    assert entry.actor_id == live.session.client_id
