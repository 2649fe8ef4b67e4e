"""The therapy hub: one client's sessions across four services of three professionals."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from models.scheduling import SessionStatus
from tests.hub_steps import (
    HUB,
    add_session,
    add_sessions,
    client,
    connect,
    month_start,
    pay,
    practice,
)
from tests.practice_steps import END, request
from tests.sql_count import counting_statements, sign_ins_seen_now

BERLIN = ZoneInfo("Europe/Berlin")


def iso(moment: datetime, zone: ZoneInfo | None = None) -> str:
    return moment.astimezone(zone or UTC).isoformat()


async def _world(api: Any) -> dict[str, Any]:
    """Anna uses four services of three professionals; Bjarni uses one of them."""
    sigrun = await practice(api, "sigrun@example.com", "Sigrún",
                            ["Psychological counselling", "Couples therapy"])
    jon = await practice(api, "jon@example.com", "Jón", ["Physiotherapy"])
    gudrun = await practice(api, "gudrun@example.com", "Guðrún", ["Career counselling"])
    anna = await client(api, "anna@example.com", "Anna", time_zone="Europe/Berlin")
    bjarni = await client(api, "bjarni@example.com", "Bjarni")
    engagements = {
        "psychology": await connect(api, anna, sigrun, "Psychological counselling"),
        "couples": await connect(api, anna, sigrun, "Couples therapy"),
        "physio": await connect(api, anna, jon, "Physiotherapy"),
        "career": await connect(api, anna, gudrun, "Career counselling"),
    }
    bjarni_physio = await connect(api, bjarni, jon, "Physiotherapy")
    return {"anna": anna, "bjarni": bjarni, "engagements": engagements,
            "bjarni_physio": bjarni_physio, "jon": jon, "sigrun": sigrun}


async def test_a_client_sees_every_session_of_every_service_with_hand_computed_progress(api):
    world = await _world(api)
    e = world["engagements"]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    m3, m1 = month_start(now, 3), month_start(now, 1)
    day = timedelta(days=1)
    psychology = [await add_session(e["psychology"], m3 + 2 * day + timedelta(hours=10)),
                  await add_session(e["psychology"], m3 + 16 * day + timedelta(hours=10)),
                  await add_session(e["psychology"], m3 + 37 * day + timedelta(hours=10))]
    await add_session(e["psychology"], m3 + 23 * day, SessionStatus.LATE_CANCELLED)
    await add_session(e["psychology"], m3 + 30 * day, SessionStatus.NO_SHOW)
    await add_session(e["psychology"], m1 + 3 * day, SessionStatus.CANCELLED)
    in_two_days = await add_session(e["psychology"], now + 2 * day, SessionStatus.SCHEDULED)
    await add_session(e["couples"], m1 + 5 * day + timedelta(hours=18))
    starting = await add_session(e["couples"], now + timedelta(minutes=5),
                                 SessionStatus.SCHEDULED)
    await add_session(e["physio"], m1 + day + timedelta(hours=8))
    await add_session(e["physio"], m1 + 8 * day + timedelta(hours=8))
    in_ten_days = await add_session(e["career"], now + 10 * day, SessionStatus.SCHEDULED)
    bjarnis = await add_session(world["bjarni_physio"], m1 + 2 * day)

    hub = (await api.data(HUB, {"first": 4}, token=world["anna"]))["hub"]

    assert hub["timeZone"] == "Europe/Berlin"
    assert hub["nextSession"]["canJoin"] is True
    assert hub["nextSession"]["service"]["title"] == "Couples therapy"
    assert hub["nextSession"]["startsAt"] == iso(starting.starts_at)
    assert hub["nextSession"]["startsAtLocal"] == iso(starting.starts_at, BERLIN)
    assert hub["nextSession"]["joinOpensAt"] == iso(starting.starts_at - timedelta(minutes=10))
    upcoming = hub["upcomingSessions"]
    assert [s["startsAt"] for s in upcoming] == [
        iso(s.starts_at) for s in (starting, in_two_days, in_ten_days)]
    assert [s["canJoin"] for s in upcoming] == [True, False, False]
    assert [s["professional"]["displayName"] for s in upcoming] == ["Sigrún", "Sigrún", "Guðrún"]

    past, after = [], None
    while True:
        page = (await api.data(HUB, {"first": 4, "after": after},
                               token=world["anna"]))["hub"]["pastSessions"]
        past += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(past) == 9
    assert [s["startsAt"] for s in past] == sorted((s["startsAt"] for s in past), reverse=True)
    assert {s["service"]["title"] for s in past} == {
        "Psychological counselling", "Couples therapy", "Physiotherapy"}
    assert iso(bjarnis.starts_at) not in {s["startsAt"] for s in past}

    progress = {g["service"]["title"]: g["progress"] for g in hub["engagements"]}
    assert set(progress) == {"Psychological counselling", "Couples therapy", "Physiotherapy",
                             "Career counselling"}
    months = [0] * 12
    months[8], months[9] = 2, 1
    assert progress["Psychological counselling"] == {
        "attended": 3, "cancelled": 1, "lateCancelled": 1, "noShows": 1, "scheduled": 1,
        "firstSessionAt": iso(psychology[0].starts_at),
        "lastSessionAt": iso(psychology[2].starts_at),
        "nextSessionAt": iso(in_two_days.starts_at),
        "averageDaysBetween": 17.5,
        "perMonth": [{"month": month_start(now, 11 - i).date().isoformat(), "attended": n}
                     for i, n in enumerate(months)],
    }
    assert _counts(progress["Couples therapy"]) == (1, None, [0] * 10 + [1, 0])
    assert _counts(progress["Physiotherapy"]) == (2, 7.0, [0] * 10 + [2, 0])
    assert _counts(progress["Career counselling"]) == (0, None, [0] * 12)
    assert progress["Career counselling"]["nextSessionAt"] == iso(in_ten_days.starts_at)
    assert hub["totals"] == {"sessionsAttended": 6, "services": 4, "professionals": 3,
                             "paid": []}


def _counts(progress: dict[str, Any]) -> tuple[int, float | None, list[int]]:
    return (progress["attended"], progress["averageDaysBetween"],
            [m["attended"] for m in progress["perMonth"]])


async def test_another_client_sees_none_of_them(api):
    world = await _world(api)
    now = datetime.now(UTC)
    for hour, engagement in enumerate(world["engagements"].values()):
        await add_session(engagement, now - timedelta(days=3, hours=hour))
        await add_session(engagement, now + timedelta(days=3, hours=hour),
                          SessionStatus.SCHEDULED)
    own = await add_session(world["bjarni_physio"], now - timedelta(days=1))
    withdrawn = (await request(api, world["bjarni"], world["sigrun"].services[
        "Couples therapy"]))["engagement"]
    ended = (await api.data(END, {"input": {"engagementId": withdrawn["id"]}},
                            token=world["bjarni"]))["endEngagement"]
    assert ended["engagement"]["status"] == "ENDED"

    hub = (await api.data(HUB, token=world["bjarni"]))["hub"]

    assert hub["nextSession"] is None
    assert hub["upcomingSessions"] == []
    assert [edge["node"]["startsAt"] for edge in hub["pastSessions"]["edges"]] == [
        iso(own.starts_at)]
    assert [g["service"]["title"] for g in hub["engagements"]] == ["Couples therapy",
                                                                   "Physiotherapy"]
    assert hub["totals"] == {"sessionsAttended": 1, "services": 1, "professionals": 1,
                             "paid": []}


async def test_past_sessions_filter_by_one_service(api):
    world = await _world(api)
    now = datetime.now(UTC)
    for hour, engagement in enumerate(world["engagements"].values()):
        await add_session(engagement, now - timedelta(days=3, hours=hour))
    physio = world["jon"].services["Physiotherapy"]["id"]
    hub = (await api.data(HUB, {"serviceId": physio}, token=world["anna"]))["hub"]
    assert [edge["node"]["service"]["title"] for edge in hub["pastSessions"]["edges"]] == [
        "Physiotherapy"]
    nothing = (await api.data(HUB, {"serviceId": "not-an-id"}, token=world["anna"]))["hub"]
    assert nothing["pastSessions"]["edges"] == []


UPCOMING = """query($all: Boolean!) { hub {
  upcomingSessions(includeCancelled: $all) { status startsAt } nextSession { startsAt } } }"""


async def test_a_session_cancelled_ahead_of_time_shows_among_upcoming_when_asked(api):
    world = await _world(api)
    now = datetime.now(UTC).replace(microsecond=0)
    physio = world["engagements"]["physio"]
    cancelled = await add_session(physio, now + timedelta(days=1), SessionStatus.CANCELLED)
    booked = await add_session(physio, now + timedelta(days=2), SessionStatus.SCHEDULED)
    await add_session(physio, now - timedelta(days=2), SessionStatus.CANCELLED)

    only_booked = (await api.data(UPCOMING, {"all": False}, token=world["anna"]))["hub"]
    everything = (await api.data(UPCOMING, {"all": True}, token=world["anna"]))["hub"]

    assert only_booked["upcomingSessions"] == [
        {"status": "SCHEDULED", "startsAt": iso(booked.starts_at)}]
    assert everything["upcomingSessions"] == [
        {"status": "CANCELLED", "startsAt": iso(cancelled.starts_at)},
        {"status": "SCHEDULED", "startsAt": iso(booked.starts_at)}]
    assert everything["nextSession"] == {"startsAt": iso(booked.starts_at)}


async def test_next_and_upcoming_lists_of_any_length_share_one_query(api):
    world = await _world(api)
    now = datetime.now(UTC).replace(microsecond=0)
    starts = [now + timedelta(days=d) for d in (1, 2, 3)]
    for start in starts:
        await add_session(world["engagements"]["physio"], start, SessionStatus.SCHEDULED)
    query = """{ hub { nextSession { startsAt } one: upcomingSessions(first: 1) { startsAt }
                       three: upcomingSessions(first: 3) { startsAt } } }"""
    await sign_ins_seen_now()
    with counting_statements() as seen:
        hub = (await api.data(query, token=world["anna"]))["hub"]

    assert hub["nextSession"] == {"startsAt": iso(starts[0])}
    assert hub["one"] == [{"startsAt": iso(starts[0])}]
    assert hub["three"] == [{"startsAt": iso(s)} for s in starts]
    assert sum("scheduling_session" in statement for statement in seen) == 1, seen


async def test_the_hub_needs_a_sign_in(api):
    body = await api("{ hub { timeZone } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_bad_cursor_is_a_clear_error(api):
    anna = await client(api, "anna@example.com", "Anna")
    body = await api(HUB, {"after": "garbage"}, token=anna)
    error = body["errors"][0]
    assert "start again from the first page" in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}


async def test_a_failing_field_lets_its_siblings_finish_their_statements(api, database_url):
    """graphql-core cancels the siblings of a field that fails. A sibling cancelled in the
    middle of a PostgreSQL statement left its pooled connection inside the protocol, holding
    its locks, until the pool closed it five minutes later. Its siblings (payments, totals)
    now finish, and no connection is left in a statement."""
    anna = await client(api, "anna@example.com", "Anna")
    for _ in range(3):
        body = await api(HUB, {"after": "garbage"}, token=anna)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    if not database_url.startswith("postgres"):
        return
    await asyncio.sleep(0.2)
    observer = await asyncpg.connect(database_url)
    try:
        busy = await observer.fetch(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND "
            "state = 'active' AND pid <> pg_backend_pid()")
    finally:
        await observer.close()
    assert [row["query"][:60] for row in busy] == []


async def test_the_statement_count_does_not_grow_with_sessions_or_services(api):
    """The same query for a small and a large history runs the same number of statements."""
    world = await _world(api)
    now = datetime.now(UTC)
    await pay(api, world["jon"], await add_session(world["engagements"]["physio"],
                                                   now - timedelta(days=40)))
    for hour, engagement in enumerate(list(world["engagements"].values())[:2]):
        await add_sessions(engagement, 2, start=now - timedelta(days=30, hours=hour))
        await add_session(engagement, now + timedelta(days=1, hours=hour),
                          SessionStatus.SCHEDULED)
    await sign_ins_seen_now()
    with counting_statements() as small:
        await api.data(HUB, token=world["anna"])

    for hour, engagement in enumerate(world["engagements"].values()):
        await add_sessions(engagement, 120, start=now - timedelta(days=800, hours=hour),
                           every=timedelta(days=6))
        await add_sessions(engagement, 5, start=now + timedelta(days=3, hours=hour),
                           every=timedelta(days=7), status=SessionStatus.SCHEDULED)
    for days in range(41, 49):
        await pay(api, world["jon"], await add_session(world["engagements"]["physio"],
                                                       now - timedelta(days=days, minutes=30)))
    await sign_ins_seen_now()
    with counting_statements() as large:
        hub = (await api.data(HUB, {"first": 100}, token=world["anna"]))["hub"]

    assert len(hub["pastSessions"]["edges"]) == 100
    assert len(hub["upcomingSessions"]) == 10
    assert len(hub["payments"]["edges"]) == 9
    assert len(small) == len(large), (small, large)
    # Sign-in, engagements, next and upcoming (one query), past page, progress, payments page,
    # their sessions, totals paid: the default page without payments (bench/hub.py) runs 5.
    assert len(large) <= 8, large


PROGRESS_DIRECT = """{ hub {
  engagements { id service { title } professional { displayName }
                progress { attended nextSessionAt perMonth { month attended } } }
  totals { sessionsAttended services professionals } } }"""
PROGRESS_IN_FRAGMENTS = """{ hub { ...Home } }
fragment Home on Hub {
  ... on Hub { engagements { ...Figures id } }
  sums: totals { sessionsAttended services professionals } }
fragment Figures on Engagement { service { title } professional { displayName }
  figures: progress { attended nextSessionAt perMonth { month attended } } }"""


def _executed_fields(monkeypatch: Any) -> list[str]:
    """Fields graphql-core executes one by one (a resolver, or an awaited value)."""
    from schema.core.plain_fields import PlainFieldExecutor

    executed: list[str] = []
    build = PlainFieldExecutor.build_resolve_info

    def recording(self: Any, field_def: Any, field_nodes: Any, parent_type: Any,
                  path: Any) -> Any:
        executed.append(f"{parent_type.name}.{field_nodes[0].name.value}")
        return build(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(PlainFieldExecutor, "build_resolve_info", recording)
    return executed


async def test_the_hub_fetches_progress_ahead_so_its_engagements_await_nothing(api, monkeypatch):
    """Asked for directly or through fragments and aliases, the progress is read once in the
    hub's own resolver and the engagements are plain values; not asked for, it is not read."""
    world = await _world(api)
    now = datetime.now(UTC)
    await add_sessions(world["engagements"]["physio"], 3, start=now - timedelta(days=20))
    await add_session(world["engagements"]["career"], now + timedelta(days=2),
                      SessionStatus.SCHEDULED)
    await sign_ins_seen_now()
    executed = _executed_fields(monkeypatch)
    with counting_statements() as direct_statements:
        direct = (await api.data(PROGRESS_DIRECT, token=world["anna"]))["hub"]
    direct_executed = list(executed)
    executed.clear()
    with counting_statements() as fragment_statements:
        through_fragments = (await api.data(PROGRESS_IN_FRAGMENTS, token=world["anna"]))["hub"]
    fragment_executed = list(executed)
    with counting_statements() as without_progress:
        await api.data("{ hub { engagements { id service { title } } } }", token=world["anna"])

    physio = next(e for e in direct["engagements"]
                  if e["service"]["title"] == "Physiotherapy")
    assert physio["progress"]["attended"] == 3
    assert direct["totals"] == {"sessionsAttended": 3, "services": 4, "professionals": 3}
    assert through_fragments["sums"] == direct["totals"]
    renamed = [{("progress" if key == "figures" else key): value for key, value in e.items()}
               for e in through_fragments["engagements"]]
    assert renamed == direct["engagements"]
    assert direct_executed == fragment_executed == ["Query.hub", "Hub.engagements"]
    assert len(direct_statements) == len(fragment_statements) == len(without_progress) + 1


SESSION_NODE = """query($id: ID!) { node(id: $id) { ... on Session {
  status service { title cancellationWindowHours } professional { displayName }
} } }"""


async def test_a_session_node_shows_its_service_to_its_client_and_nobody_else(api):
    world = await _world(api)
    await add_session(world["engagements"]["physio"], datetime.now(UTC) + timedelta(days=1),
                      SessionStatus.SCHEDULED)
    hub = (await api.data(HUB, token=world["anna"]))["hub"]
    session_id = hub["nextSession"]["id"]
    node = (await api.data(SESSION_NODE, {"id": session_id}, token=world["anna"]))["node"]
    assert node == {"status": "SCHEDULED", "professional": {"displayName": "Jón"},
                    "service": {"title": "Physiotherapy", "cancellationWindowHours": 24}}
    stranger = await api.data(SESSION_NODE, {"id": session_id}, token=world["bjarni"])
    assert stranger["node"] is None


async def test_the_demo_hub_shows_a_history_across_services(api, settings):
    import seed
    from tests.helpers import login

    await seed.seed(settings)
    token = (await login(api, "thorunn@demo.therapyhub.test", seed.DEMO_PASSWORD))["token"]
    hub = (await api.data(HUB, token=token))["hub"]
    assert hub["nextSession"] is not None
    assert hub["pastSessions"]["edges"]
    assert hub["totals"]["services"] == 2
    assert hub["totals"]["sessionsAttended"] == sum(
        e["progress"]["attended"] for e in hub["engagements"])


PAYMENTS = """query($after: String) { hub {
  payments(first: 2, after: $after) {
    edges { node { amount { amount currency } status receiptUrl
                   session { startsAt service { title } professional { displayName } } } }
    pageInfo { hasNextPage endCursor }
  }
  totals { paid { paid { amount currency } count } }
} }"""


async def test_the_hub_lists_payments_with_receipts_and_totals_per_currency(api):
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    jon = await practice(api, "jon@example.com", "Jón", ["Physiotherapy"],
                         price={"amount": 6500, "currency": "EUR"})
    anna = await client(api, "anna@example.com", "Anna")
    bjarni = await client(api, "bjarni@example.com", "Bjarni")
    counselling = await connect(api, anna, sigrun, "Counselling")
    physio = await connect(api, anna, jon, "Physiotherapy")
    bjarnis = await connect(api, bjarni, sigrun, "Counselling")
    now = datetime.now(UTC)
    for days in (20, 13):
        await pay(api, sigrun, await add_session(counselling, now - timedelta(days=days)))
    await pay(api, jon, await add_session(physio, now - timedelta(days=6)))
    await add_session(physio, now - timedelta(days=2))
    await pay(api, sigrun, await add_session(bjarnis, now - timedelta(days=1)))

    seen, after = [], None
    while True:
        hub = (await api.data(PAYMENTS, {"after": after}, token=anna))["hub"]
        seen += [edge["node"] for edge in hub["payments"]["edges"]]
        if not hub["payments"]["pageInfo"]["hasNextPage"]:
            break
        after = hub["payments"]["pageInfo"]["endCursor"]

    assert [(p["amount"], p["session"]["service"]["title"]) for p in seen] == [
        ({"amount": 6500, "currency": "EUR"}, "Physiotherapy"),
        ({"amount": 18000, "currency": "ISK"}, "Counselling"),
        ({"amount": 18000, "currency": "ISK"}, "Counselling"),
    ]
    assert all(p["status"] == "PAID" and p["receiptUrl"] for p in seen)
    assert hub["totals"]["paid"] == [
        {"paid": {"amount": 6500, "currency": "EUR"}, "count": 1},
        {"paid": {"amount": 36000, "currency": "ISK"}, "count": 2},
    ]
    receipt = await api.http.get(seen[0]["receiptUrl"].replace(api.settings.public_url, ""))
    assert receipt.status_code == 200
    assert receipt.headers["content-type"] == "application/pdf"
