"""Practitioner mode: today's and this week's sessions, and the clients list."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.scheduling import SessionStatus
from tests.hub_steps import (
    HUB_SESSION,
    add_service,
    add_session,
    add_sessions,
    client,
    connect,
    practice,
)
from tests.practice_steps import invite, request
from tests.sql_count import counting_statements, sign_ins_seen_now

AUCKLAND = ZoneInfo("Pacific/Auckland")

AGENDA = f"""{{ practice {{
  todaySessions {{ {HUB_SESSION} }}
  weekSessions {{ {HUB_SESSION} }}
}} }}"""

CLIENTS = """
query($first: Int, $after: String, $search: String, $orderBy: ClientOrder) {
  practice { clients(first: $first, after: $after, search: $search, orderBy: $orderBy) {
    edges { cursor node {
      id name email nextSessionAt lastSessionAt sessionsAttended
      engagements { id status service { title } }
    } }
    pageInfo { hasNextPage endCursor }
  } }
}"""

PRACTICE = f"""{{ practice {{
  profile {{ displayName }}
  services {{ id title professional {{ displayName }} }}
  pendingRequests {{ id client {{ name }} service {{ title }} }}
  invitations {{ email service {{ title }} }}
  engagements {{ id status client {{ name }} service {{ title }} professional {{ displayName }}
                progress {{ attended perMonth {{ attended }} }} }}
  todaySessions {{ {HUB_SESSION} client {{ name }} }}
  weekSessions {{ {HUB_SESSION} client {{ name }} engagement {{ status }} }}
  clients(first: 50) {{ edges {{ node {{
    name nextSessionAt engagements {{ service {{ title }} professional {{ displayName }} }}
  }} }} }}
}} }}"""


async def test_today_and_this_week_are_in_the_professionals_time_zone(api):
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"],
                            time_zone="Pacific/Auckland")
    anna = await client(api, "anna@example.com", "Anna")
    engagement = await connect(api, anna, sigrun, "Counselling")

    local_now = datetime.now(AUCKLAND)
    today = datetime.combine(local_now.date(), time(), AUCKLAND)
    monday = datetime.combine(local_now.date() - timedelta(days=local_now.weekday()), time(),
                              AUCKLAND)
    next_monday = datetime.combine(monday.date() + timedelta(days=7), time(), AUCKLAND)
    tomorrow = datetime.combine(local_now.date() + timedelta(days=1), time(), AUCKLAND)
    starts = [today - timedelta(hours=1), today + timedelta(hours=2),
              tomorrow + timedelta(hours=3), monday + timedelta(hours=1),
              monday - timedelta(hours=2), next_monday + timedelta(hours=4)]
    for at in set(starts):
        await add_session(engagement, at.astimezone(UTC), SessionStatus.SCHEDULED)

    agenda = (await api.data(AGENDA, token=sigrun.token))["practice"]

    def local(at: datetime) -> str:
        return at.astimezone(AUCKLAND).isoformat()

    expected_today = sorted(local(at) for at in set(starts)
                            if at.astimezone(AUCKLAND).date() == local_now.date())
    expected_week = sorted(local(at) for at in set(starts)
                           if at.astimezone(AUCKLAND).isocalendar()[:2]
                           == local_now.isocalendar()[:2])
    assert [s["startsAtLocal"] for s in agenda["todaySessions"]] == expected_today
    assert [s["startsAtLocal"] for s in agenda["weekSessions"]] == expected_week
    assert local(today + timedelta(hours=2)) in expected_today
    assert local(monday + timedelta(hours=1)) in expected_week


async def _clients_world(api: Any) -> dict[str, Any]:
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling", "Couples"])
    jon = await practice(api, "jon@example.com", "Jón", ["Physiotherapy"])
    tokens = {name: await client(api, f"{name.lower()}@example.com", name)
              for name in ("Anna", "Bjarni", "Katrín", "Dóra", "Einar")}
    anna = await connect(api, tokens["Anna"], sigrun, "Counselling")
    await connect(api, tokens["Anna"], sigrun, "Couples")
    bjarni = await connect(api, tokens["Bjarni"], sigrun, "Couples")
    katrin = await connect(api, tokens["Katrín"], sigrun, "Counselling")
    assert (await request(api, tokens["Dóra"], sigrun.services["Counselling"]))["engagement"]
    einar = await connect(api, tokens["Einar"], jon, "Physiotherapy")
    now = datetime.now(UTC)
    await add_session(anna, now + timedelta(days=2), SessionStatus.SCHEDULED)
    await add_session(anna, now - timedelta(days=10))
    await add_session(anna, now - timedelta(days=17))
    await add_session(bjarni, now + timedelta(days=1), SessionStatus.SCHEDULED)
    await add_session(bjarni, now - timedelta(days=1), SessionStatus.NO_SHOW)
    await add_session(katrin, now - timedelta(days=3))
    await add_session(einar, now - timedelta(hours=5))
    return {"sigrun": sigrun, "tokens": tokens}


def _names(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in connection["edges"]]


async def test_clients_sort_by_name_next_or_last_session(api):
    world = await _clients_world(api)
    token = world["sigrun"].token

    async def clients(**variables: Any) -> dict[str, Any]:
        return (await api.data(CLIENTS, variables, token=token))["practice"]["clients"]

    by_name = await clients()
    assert _names(by_name) == ["Anna", "Bjarni", "Katrín"]
    anna = by_name["edges"][0]["node"]
    assert anna["sessionsAttended"] == 2
    assert [e["service"]["title"] for e in anna["engagements"]] == ["Counselling", "Couples"]
    assert _names(await clients(orderBy="NEXT_SESSION")) == ["Bjarni", "Anna", "Katrín"]
    assert _names(await clients(orderBy="LAST_SESSION")) == ["Katrín", "Anna", "Bjarni"]


async def test_clients_are_searchable_by_name_or_email_and_paged(api):
    world = await _clients_world(api)
    token = world["sigrun"].token

    async def clients(**variables: Any) -> dict[str, Any]:
        return (await api.data(CLIENTS, variables, token=token))["practice"]["clients"]

    assert _names(await clients(search="bjA")) == ["Bjarni"]
    assert _names(await clients(search="katrín@example")) == ["Katrín"]
    assert _names(await clients(search="einar")) == []
    for order in ("NAME", "NEXT_SESSION", "LAST_SESSION"):
        first = await clients(first=2, orderBy=order)
        rest = await clients(first=2, orderBy=order, after=first["pageInfo"]["endCursor"])
        assert first["pageInfo"]["hasNextPage"] is True
        assert rest["pageInfo"]["hasNextPage"] is False
        assert _names(first) + _names(rest) == _names(await clients(orderBy=order))


async def test_a_client_cannot_query_practice_data(api):
    world = await _clients_world(api)
    for query in (CLIENTS, AGENDA):
        body = await api(query, token=world["tokens"]["Anna"])
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"


async def test_the_practice_statement_count_does_not_grow_with_clients_or_sessions(api):
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    now = datetime.now(UTC)
    local_today = datetime.combine(now.date(), time(), UTC)
    first = await connect(api, await client(api, "c0@example.com", "C0"), sigrun, "Counselling")
    await add_session(first, local_today + timedelta(minutes=1), SessionStatus.SCHEDULED)
    await add_session(first, now - timedelta(days=20))
    await invite(api, sigrun.token, sigrun.services["Counselling"]["id"], "i0@example.com")
    await sign_ins_seen_now()
    with counting_statements() as small:
        await api.data(PRACTICE, token=sigrun.token)

    await add_service(api, sigrun, "Couples")
    for i in range(1, 9):
        token = await client(api, f"c{i}@example.com", f"C{i}")
        engagement = await connect(api, token, sigrun, "Counselling" if i % 2 else "Couples")
        await add_sessions(engagement, 30, start=now - timedelta(days=400, minutes=60 * i),
                           every=timedelta(days=9))
        await add_session(engagement, local_today + timedelta(minutes=60 * i + 1),
                          SessionStatus.SCHEDULED)
        await invite(api, sigrun.token, sigrun.services["Counselling" if i % 2 else "Couples"][
            "id"], f"i{i}@example.com", name=f"I{i}")
    await sign_ins_seen_now()
    with counting_statements() as large:
        data = (await api.data(PRACTICE, token=sigrun.token))["practice"]

    assert len(data["clients"]["edges"]) == 9
    assert len(data["todaySessions"]) == 9
    assert sorted(i["service"]["title"] for i in data["invitations"]) == [
        "Counselling"] * 5 + ["Couples"] * 4
    assert len(small) == len(large), "\n".join(s[:90] for s in [*small, "--", *large])
    engagement_reads = [s for s in large if '"engagement"."details_sealed"' in s]
    assert len(engagement_reads) == 1, "one read of the practice's engagements serves all"

