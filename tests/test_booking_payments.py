"""Booking meets payments: a card required to book, and the automatic charge when a session is
completed or cancelled late, through the booking mutations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from strawberry import relay

from models.payments import Payment
from models.practice import Service
from models.scheduling import Session
from tests.conftest import Api
from tests.payment_steps import PAYMENTS, codes, save_card
from tests.scheduling_steps import (
    BOOK_SERIES,
    CANCEL,
    CANCEL_SERIES,
    COMPLETE,
    Practice,
    book,
    every_day,
    iso,
    practice,
    soon,
)

ALL_DAY = every_day("00:00", "00:00")


async def _practice(api: Api, **service: object) -> Practice:
    setup = await practice(api, self_booking=True, weeklyHours=ALL_DAY, timeZone="UTC")
    await Service.all().update(**service)
    return setup


async def test_booking_a_service_that_requires_a_card_asks_for_one_first(stripe_api,
                                                                         fake_stripe):
    setup = await _practice(stripe_api, card_required=True)

    refused = await book(stripe_api, setup.client, setup.engagement_id, soon(48))
    by_professional = await book(stripe_api, setup.professional, setup.engagement_id, soon(48))
    await save_card(stripe_api, fake_stripe, setup.client)
    booked = await book(stripe_api, setup.client, setup.engagement_id, soon(48))

    assert codes(refused) == ["CARD_REQUIRED"]
    assert codes(by_professional) == ["CARD_REQUIRED"]
    assert "add one under Payments in your hub" in refused["userErrors"][0]["message"]
    assert "Ask them to add one" in by_professional["userErrors"][0]["message"]
    assert booked["userErrors"] == []
    assert await Session.all().count() == 1


async def test_completing_a_session_charges_the_card_when_the_service_says_so(stripe_api,
                                                                              fake_stripe):
    setup = await _practice(stripe_api, auto_charge=True)
    await save_card(stripe_api, fake_stripe, setup.client)
    session = (await book(stripe_api, setup.professional, setup.engagement_id,
                          soon(72)))["session"]
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    await Session.filter(id=relay.GlobalID.from_id(session["id"]).node_id).update(
        starts_at=start, ends_at=start + timedelta(hours=1))

    completed = (await stripe_api.data(COMPLETE, {"input": {"sessionId": session["id"]}},
                                       token=setup.professional))["completeSession"]
    paid = (await stripe_api.data(PAYMENTS, {"id": session["id"]},
                                  token=setup.client))["payments"]

    assert completed["session"]["status"] == "COMPLETED"
    assert [(p["status"], p["method"], p["receiptNumber"]) for p in paid] == [
        ("PAID", "CARD", 1)]
    assert [c["amount"] for c in fake_stripe.charges] == [1800000]  # 18.000 kr.


async def test_a_late_cancellation_is_charged_and_one_in_time_is_not(stripe_api, fake_stripe):
    setup = await _practice(stripe_api, auto_charge=True)
    await save_card(stripe_api, fake_stripe, setup.client)
    late = (await book(stripe_api, setup.client, setup.engagement_id, soon(5)))["session"]
    in_time = (await book(stripe_api, setup.client, setup.engagement_id, soon(72)))["session"]

    for session in (late, in_time):
        cancelled = (await stripe_api.data(CANCEL, {"input": {"sessionId": session["id"]}},
                                           token=setup.client))["cancelSession"]
        assert cancelled["userErrors"] == []

    assert [p.status.value for p in await Payment.all()] == ["paid"]
    assert str((await Payment.get()).session_id) == relay.GlobalID.from_id(late["id"]).node_id
    assert len(fake_stripe.charges) == 1


async def test_completing_without_a_card_still_completes(stripe_api):
    setup = await _practice(stripe_api, auto_charge=True)
    session = (await book(stripe_api, setup.professional, setup.engagement_id,
                          soon(72)))["session"]
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    await Session.filter(id=relay.GlobalID.from_id(session["id"]).node_id).update(
        starts_at=start, ends_at=start + timedelta(hours=1))

    completed = (await stripe_api.data(COMPLETE, {"input": {"sessionId": session["id"]}},
                                       token=setup.professional))["completeSession"]

    assert completed["userErrors"] == []
    assert completed["session"]["status"] == "COMPLETED"
    assert await Payment.all().count() == 0


async def test_cancelling_a_series_charges_only_its_late_session(stripe_api, fake_stripe):
    setup = await _practice(stripe_api, auto_charge=True)
    await save_card(stripe_api, fake_stripe, setup.client)
    series = (await stripe_api.data(BOOK_SERIES, {"input": {
        "engagementId": setup.engagement_id, "startsAt": iso(soon(5)), "everyWeeks": 1,
        "count": 3,
    }}, token=setup.client))["bookSeries"]
    assert series["userErrors"] == []

    cancelled = (await stripe_api.data(CANCEL_SERIES, {"input": {
        "seriesId": series["series"]["id"], "from": series["sessions"][0]["startsAt"],
    }}, token=setup.client))["cancelSeries"]

    assert [s["status"] for s in cancelled["sessions"]] == [
        "LATE_CANCELLED", "CANCELLED", "CANCELLED"]
    [payment] = await Payment.all()
    assert str(payment.session_id) == relay.GlobalID.from_id(
        series["sessions"][0]["id"]).node_id
    assert len(fake_stripe.charges) == 1
