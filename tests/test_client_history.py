"""The client profile's sessions and progress, as the client's professional sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry import relay

from models.payments import Payment
from models.practice import Engagement
from models.scheduling import SessionSeries, SessionStatus, SessionStatusChange
from tests.hub_steps import (
    account,
    add_session,
    add_sessions,
    client,
    connect,
    pay,
    practice,
)
from tests.sql_count import counting_statements, sign_ins_seen_now

CLIENTS = "{ practice { clients { edges { node { id name } } } } }"

PROFILE = """query($id: ID!, $first: Int, $after: String) { clientProfile(id: $id) {
  name
  engagements { service { title } progress { attended noShows } }
  sessions(first: $first, after: $after) {
    edges { node { startsAt status service { title } professional { displayName } } }
    pageInfo { hasNextPage endCursor }
  }
  progress { attended cancelled lateCancelled noShows scheduled firstSessionAt lastSessionAt
             nextSessionAt averageDaysBetween perMonth { attended } }
  payments(first: $first) { edges { node {
    amount { amount currency } status receiptUrl session { startsAt service { title } }
  } } }
  paymentTotals { paid { amount currency } count }
} }"""


async def _world(api: Any) -> dict[str, Any]:
    sigrun = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling", "Couples"])
    jon = await practice(api, "jon@example.com", "Jón", ["Physiotherapy"])
    anna = await client(api, "anna@example.com", "Anna")
    bjarni = await client(api, "bjarni@example.com", "Bjarni")
    return {
        "sigrun": sigrun, "jon": jon, "anna": anna, "bjarni": bjarni,
        "counselling": await connect(api, anna, sigrun, "Counselling"),
        "couples": await connect(api, anna, sigrun, "Couples"),
        "physio": await connect(api, anna, jon, "Physiotherapy"),
        "bjarni_couples": await connect(api, bjarni, sigrun, "Couples"),
    }


async def _profile_id(api: Any, token: str, name: str) -> str:
    edges = (await api.data(CLIENTS, token=token))["practice"]["clients"]["edges"]
    return next(e["node"]["id"] for e in edges if e["node"]["name"] == name)


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def test_the_professional_sees_their_sessions_with_the_client_and_progress(api):
    world = await _world(api)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    day = timedelta(days=1)
    first = await add_session(world["counselling"], now - 30 * day)
    await add_session(world["counselling"], now - 23 * day, SessionStatus.NO_SHOW)
    await add_session(world["couples"], now - 16 * day)
    last = await add_session(world["counselling"], now - 9 * day)
    await add_session(world["couples"], now - 5 * day, SessionStatus.LATE_CANCELLED)
    upcoming = await add_session(world["couples"], now + 2 * day, SessionStatus.SCHEDULED)
    await add_session(world["physio"], now - 3 * day)
    await add_session(world["bjarni_couples"], now - 2 * day)

    sigrun = world["sigrun"].token
    anna_id = await _profile_id(api, sigrun, "Anna")
    profile = (await api.data(PROFILE, {"id": anna_id}, token=sigrun))["clientProfile"]

    sessions = [e["node"] for e in profile["sessions"]["edges"]]
    assert [s["startsAt"] for s in sessions] == [iso(upcoming.starts_at), *(
        iso(now - d * day) for d in (5, 9, 16, 23, 30))]
    assert {s["professional"]["displayName"] for s in sessions} == {"Sigrún"}
    assert {s["service"]["title"] for s in sessions} == {"Counselling", "Couples"}
    progress = profile["progress"]
    assert {k: v for k, v in progress.items() if k != "perMonth"} == {
        "attended": 3, "cancelled": 0, "lateCancelled": 1, "noShows": 1, "scheduled": 1,
        "firstSessionAt": iso(first.starts_at), "lastSessionAt": iso(last.starts_at),
        "nextSessionAt": iso(upcoming.starts_at), "averageDaysBetween": 10.5,
    }
    assert sum(m["attended"] for m in progress["perMonth"]) == 3
    assert {e["service"]["title"]: e["progress"]["attended"]
            for e in profile["engagements"]} == {"Counselling": 2, "Couples": 1}

    assert profile["payments"]["edges"] == []

    jon = world["jon"].token
    physio_only = (await api.data(PROFILE, {"id": await _profile_id(api, jon, "Anna")},
                                  token=jon))["clientProfile"]
    assert [e["node"]["service"]["title"] for e in physio_only["sessions"]["edges"]] == [
        "Physiotherapy"]


async def test_nobody_else_opens_the_profile_and_it_looks_like_a_random_id(api):
    world = await _world(api)
    bjarni = await account("bjarni@example.com")
    bjarni_id = relay.to_base64("ClientProfile", bjarni.id)
    random_id = relay.to_base64("ClientProfile", "0b7c5d3e-1f2a-4b6c-8d9e-0a1b2c3d4e5f")
    for token in (world["jon"].token, world["anna"]):
        assert (await api.data(PROFILE, {"id": bjarni_id}, token=token)) == {
            "clientProfile": None}
    assert (await api.data(PROFILE, {"id": random_id}, token=world["jon"].token)) == {
        "clientProfile": None}
    assert (await api.data(PROFILE, {"id": bjarni_id}, token=world["sigrun"].token))[
        "clientProfile"]["name"] == "Bjarni"


async def test_the_profile_statement_count_does_not_grow_with_sessions_or_services(api):
    world = await _world(api)
    sigrun = world["sigrun"].token
    now = datetime.now(UTC)
    await pay(api, world["sigrun"], await add_session(world["counselling"],
                                                      now - timedelta(days=3)))
    anna_id = await _profile_id(api, sigrun, "Anna")
    await sign_ins_seen_now()
    with counting_statements() as small:
        await api.data(PROFILE, {"id": anna_id}, token=sigrun)

    for hour, name in enumerate(("counselling", "couples")):
        await add_sessions(world[name], 150, start=now - timedelta(days=700, hours=hour),
                           every=timedelta(days=4))
        for days in range(10, 14):
            await pay(api, world["sigrun"], await add_session(
                world[name], now - timedelta(days=days, hours=hour + 2)))
    await sign_ins_seen_now()
    with counting_statements() as large:
        profile = (await api.data(PROFILE, {"id": anna_id, "first": 100},
                                  token=sigrun))["clientProfile"]

    assert len(profile["sessions"]["edges"]) == 100
    assert len(profile["payments"]["edges"]) == 9
    assert len(small) == len(large), (small, large)


async def test_the_profile_shows_the_clients_payments_to_this_professional_only(api):
    world = await _world(api)
    now = datetime.now(UTC)
    paid = await add_session(world["counselling"], now - timedelta(days=8))
    await pay(api, world["sigrun"], paid)
    await pay(api, world["sigrun"], await add_session(world["couples"], now - timedelta(days=4)))
    await add_session(world["couples"], now - timedelta(days=2))
    await pay(api, world["jon"], await add_session(world["physio"], now - timedelta(days=1)))
    await pay(api, world["sigrun"], await add_session(world["bjarni_couples"],
                                                      now - timedelta(days=3)))

    sigrun = world["sigrun"].token
    profile = (await api.data(PROFILE, {"id": await _profile_id(api, sigrun, "Anna")},
                              token=sigrun))["clientProfile"]

    payments = [e["node"] for e in profile["payments"]["edges"]]
    assert [(p["session"]["service"]["title"], p["session"]["startsAt"]) for p in payments] == [
        ("Couples", iso(now - timedelta(days=4))), ("Counselling", iso(paid.starts_at))]
    assert all(p["status"] == "PAID" and p["receiptUrl"] for p in payments)
    assert profile["paymentTotals"] == [{"paid": {"amount": 36000, "currency": "ISK"},
                                         "count": 2}]


DETAIL = """query($id: ID!, $first: Int) { clientProfile(id: $id) {
  sessions(first: $first) { edges { node {
    startsAt series { everyWeeks } history { toStatus reasonCode }
  } } }
  payments(first: $first) { edges { node {
    amount { amount } refunds { amount { amount } } session { startsAt }
  } } }
} }"""
REFUND = """mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id } userErrors { message } } }"""


async def _series_with_history(engagement: Engagement, starts: list[datetime]) -> None:
    """Sessions of one weekly series, each with the history row its booking wrote."""
    series = await SessionSeries.create(engagement=engagement, every_weeks=1, count=len(starts),
                                        created_by_id=engagement.client_id)
    for starts_at in starts:
        session = await add_session(engagement, starts_at)
        session.series = series
        await session.save(update_fields=["series_id"])
        await SessionStatusChange.create(session=session, to_status=SessionStatus.SCHEDULED,
                                         starts_at=session.starts_at, ends_at=session.ends_at,
                                         changed_by_id=engagement.client_id)


async def _paid_and_refunded(api: Any, owner: Any, engagement: Engagement,
                             starts_at: datetime) -> None:
    await pay(api, owner, await add_session(engagement, starts_at))
    payment = await Payment.filter(session__starts_at=starts_at,
                                   session__engagement_id=engagement.id).get()
    payload = (await api.data(REFUND, {"input": {
        "paymentId": relay.to_base64("Payment", str(payment.id)), "amount": 1000,
    }}, token=owner.token))["refundPayment"]
    assert payload["userErrors"] == [], payload


async def test_a_pages_series_history_and_refunds_are_fetched_once_whatever_its_size(api):
    world = await _world(api)
    sigrun = world["sigrun"].token
    now = datetime.now(UTC).replace(microsecond=0)
    await _series_with_history(world["counselling"], [now - timedelta(days=30)])
    await _paid_and_refunded(api, world["sigrun"], world["counselling"], now - timedelta(days=3))
    anna_id = await _profile_id(api, sigrun, "Anna")
    await sign_ins_seen_now()
    with counting_statements() as small:
        await api.data(DETAIL, {"id": anna_id}, token=sigrun)

    await _series_with_history(world["couples"], [now - timedelta(days=200 - 7 * i)
                                                  for i in range(12)])
    for days in range(5, 11):
        await _paid_and_refunded(api, world["sigrun"], world["couples"], now - timedelta(
            days=days, hours=2))
    await sign_ins_seen_now()
    with counting_statements() as large:
        profile = (await api.data(DETAIL, {"id": anna_id, "first": 50},
                                  token=sigrun))["clientProfile"]

    sessions = [e["node"] for e in profile["sessions"]["edges"]]
    in_series = [s for s in sessions if s["series"] is not None]
    assert len(sessions) == 20
    assert len(in_series) == 13
    assert all(s["series"] == {"everyWeeks": 1} for s in in_series)
    assert [s["history"] for s in in_series] == [
        [{"toStatus": "SCHEDULED", "reasonCode": None}]] * 13
    payments = [e["node"] for e in profile["payments"]["edges"]]
    assert len(payments) == 7
    assert all(p["refunds"] == [{"amount": {"amount": 1000}}] for p in payments)
    assert len(small) == len(large), (small, large)
