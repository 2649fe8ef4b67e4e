"""Every limit and window the code enforces, tested just inside and just outside it.

A test that only checks the middle of a range lets an off-by-one or a wrong unit through, so
each limit here is met at its last allowed value and at the first refused one. The clock is
the real one (the code reads `datetime.now`), so time travel moves stored timestamps back
instead: rate-limit events, a session's start, a receipt link's issue time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from crypto.totp import matching_step
from models.accounts import Account
from models.payments import Payment
from models.rate_limits import RateLimitEvent
from models.scheduling import Session
from resolvers.payments.receipt_links import receipt_url
from resolvers.scheduling.session_changes import is_late
from tests.helpers import PASSWORD, login, register
from tests.payment_steps import (
    REFUND,
    book,
    charge,
    codes,
    download,
    engaged_practice,
    post_event,
    record_manual,
    save_card,
)
from tests.scheduling_steps import CANCEL, every_day, practice, soon
from tests.scheduling_steps import book as book_session

# -- sign-in limits ------------------------------------------------------------------------------


async def _fail_from_one_address(api, failures: int) -> None:
    """`failures` wrong passwords from this address, each for a different email, so only the
    per-address limit can be what refuses."""
    for n in range(failures):
        failed = await login(api, f"guess{n}@example.com", "not the password")
        assert codes(failed) == ["INVALID_CREDENTIALS"]


async def test_the_last_failure_the_address_limit_allows_still_lets_the_right_password_in(
        api, settings):
    await register(api, "anna@example.com")
    await _fail_from_one_address(api, settings.login_max_failures_per_address - 1)

    assert (await login(api, "anna@example.com", PASSWORD))["token"]


async def test_one_failure_past_the_address_limit_refuses_every_email_from_that_address(
        api, settings):
    await register(api, "anna@example.com")
    await _fail_from_one_address(api, settings.login_max_failures_per_address)

    locked = await login(api, "anna@example.com", PASSWORD)
    assert locked["token"] is None
    assert codes(locked) == ["RATE_LIMITED"]


async def test_the_last_failure_the_account_limit_allows_still_lets_the_right_password_in(
        api, settings):
    await register(api, "anna@example.com")
    for _ in range(settings.login_max_failures_per_account - 1):
        await login(api, "anna@example.com", "wrong password!")

    assert (await login(api, "anna@example.com", PASSWORD))["token"]


async def _locked_out(api, settings) -> None:
    await register(api, "anna@example.com")
    for _ in range(settings.login_max_failures_per_account):
        await login(api, "anna@example.com", "wrong password!")
    assert codes(await login(api, "anna@example.com", PASSWORD)) == ["RATE_LIMITED"]


async def test_a_lock_still_holds_a_second_before_its_window_ends(api, settings):
    await _locked_out(api, settings)
    window = timedelta(minutes=settings.login_window_minutes)
    await RateLimitEvent.all().update(at=datetime.now(UTC) - window + timedelta(seconds=5))

    locked = await login(api, "anna@example.com", PASSWORD)
    assert codes(locked) == ["RATE_LIMITED"]
    assert "Wait 1 minute " in locked["userErrors"][0]["message"]


async def test_a_lock_ends_a_second_after_its_window(api, settings):
    await _locked_out(api, settings)
    window = timedelta(minutes=settings.login_window_minutes)
    await RateLimitEvent.all().update(at=datetime.now(UTC) - window - timedelta(seconds=1))

    assert (await login(api, "anna@example.com", PASSWORD))["token"]


# -- the second factor's time steps ----------------------------------------------------------


@pytest.mark.parametrize(("offset", "accepted"), [
    (-60, False), (-30, True), (0, True), (30, True), (60, False),
])
def test_a_code_is_accepted_one_time_step_either_side_and_no_further(offset, accepted):
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = (totp.timecode(datetime.now(UTC)) * totp.interval) + 15.0  # mid-step, no edge luck
    code = totp.at(now + offset)

    step = matching_step(secret, code, at=now)

    assert (step is not None) is accepted
    if accepted:
        assert step == totp.timecode(datetime.fromtimestamp(now + offset, UTC))


def test_a_code_is_judged_by_the_step_it_falls_in_not_by_seconds_of_distance():
    """At the first second of a step, a code from 31 s ago (two steps back) is refused; at
    the last second, one from 59 s ago (the step before) is still accepted."""
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    start_of_step = float(totp.timecode(datetime.now(UTC)) * totp.interval)
    end_of_step = start_of_step + totp.interval - 1

    assert matching_step(secret, totp.at(start_of_step - 31), at=start_of_step) is None
    assert matching_step(secret, totp.at(end_of_step - 59), at=end_of_step) is not None
    assert matching_step(secret, totp.at(end_of_step + 31), at=end_of_step) is None


# -- the late-cancellation window ------------------------------------------------------------


def test_cancelling_exactly_at_the_window_is_in_time_and_a_moment_later_is_late():
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    session = Session(starts_at=now + timedelta(hours=24), cancellation_window_hours=24)

    assert is_late(session, now) is False
    assert is_late(session, now + timedelta(microseconds=1)) is True
    assert is_late(session, now - timedelta(minutes=1)) is False


@pytest.mark.parametrize(("minutes_past_the_window", "status"), [
    (1, "CANCELLED"), (-1, "LATE_CANCELLED"),
])
async def test_a_client_cancelling_a_minute_either_side_of_the_window(
        api, minutes_past_the_window, status):
    setup = await practice(api, self_booking=True, weeklyHours=every_day("00:00", "00:00"),
                           timeZone="UTC")
    booked = await book_session(api, setup.professional, setup.engagement_id, soon(72))
    assert booked["userErrors"] == []
    row = await Session.get()
    starts = (datetime.now(UTC) + timedelta(hours=row.cancellation_window_hours)
              + timedelta(minutes=minutes_past_the_window))
    await Session.filter(id=row.id).update(starts_at=starts,
                                           ends_at=starts + (row.ends_at - row.starts_at))

    payload = (await api.data(CANCEL, {"input": {"sessionId": booked["session"]["id"]}},
                              token=setup.client))["cancelSession"]

    assert payload["userErrors"] == []
    assert payload["session"]["status"] == status


# -- receipt links ---------------------------------------------------------------------------


async def _receipt_link_issued(api, settings, ago: timedelta) -> str:
    practice_ = await engaged_practice(api)
    paid = await record_manual(api, practice_.professional, await book(practice_))
    assert paid["userErrors"] == []
    payment = await Payment.get()
    client = await Account.get(id=practice_.client_id)
    url = receipt_url(settings, payment, client, now=datetime.now(UTC) - ago)
    assert url is not None
    return url


async def test_a_receipt_link_opens_until_its_last_seconds(api, settings):
    lifetime = timedelta(minutes=settings.receipt_link_minutes)
    url = await _receipt_link_issued(api, settings, lifetime - timedelta(seconds=30))

    response = await download(api, url)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"


async def test_a_receipt_link_is_refused_just_after_it_expires(api, settings):
    lifetime = timedelta(minutes=settings.receipt_link_minutes)
    url = await _receipt_link_issued(api, settings, lifetime + timedelta(seconds=2))

    response = await download(api, url)

    assert response.status_code == 403


# -- money, repeated -------------------------------------------------------------------------

ISK_15000 = {"price": {"amount": 15000, "currency": "ISK"}}


async def _refund(api, practice_, payment_id: str, amount: int | None = None):
    given = {"paymentId": payment_id} | ({"amount": amount} if amount is not None else {})
    return (await api.data(REFUND, {"input": given},
                           token=practice_.professional))["refundPayment"]


async def test_two_equal_partial_refunds_are_two_refunds_at_stripe(stripe_api, fake_stripe):
    practice_ = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice_.client)
    payment = (await charge(stripe_api, practice_, await book(practice_)))["payment"]

    first = await _refund(stripe_api, practice_, payment["id"], 5000)
    second = await _refund(stripe_api, practice_, payment["id"], 5000)

    assert first["userErrors"] == second["userErrors"] == []
    assert second["payment"]["refunded"] == {"amount": 10000, "currency": "ISK"}
    assert [r["amount"]["amount"] for r in second["payment"]["refunds"]] == [5000, 5000]
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [500000, 500000]
    keys = [r.idempotency_key for r in fake_stripe.posts_to("/v1/refunds")]
    assert len(keys) == len(set(keys)) == 2


async def test_refunding_exactly_what_is_left_is_allowed_and_one_more_is_refused(
        stripe_api, fake_stripe):
    practice_ = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice_.client)
    payment = (await charge(stripe_api, practice_, await book(practice_)))["payment"]
    await _refund(stripe_api, practice_, payment["id"], 5000)

    too_much = await _refund(stripe_api, practice_, payment["id"], 10001)
    exactly = await _refund(stripe_api, practice_, payment["id"], 10000)

    assert codes(too_much) == ["INVALID_INPUT"]
    assert exactly["payment"]["status"] == "REFUNDED"
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [500000, 1000000]


async def test_a_refund_event_larger_than_the_payment_is_capped_at_the_payment(
        stripe_api, fake_stripe):
    practice_ = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice_.client)
    payment = (await charge(stripe_api, practice_, await book(practice_)))["payment"]
    intent = (await Payment.get()).stripe_payment_intent_id

    response = await post_event(stripe_api, "charge.refunded", {
        "id": "ch_1", "object": "charge", "payment_intent": intent, "currency": "isk",
        "amount": 1500000, "amount_refunded": 1500100})

    assert response.status_code == 200
    row = await Payment.get()
    assert row.refunded_amount == row.amount == 15000
    nothing_left = await _refund(stripe_api, practice_, payment["id"], 100)
    assert codes(nothing_left) != []
    assert fake_stripe.refunds == {}

