"""Charging again after a card payment failed, through the real `stripe` library against the
fake Stripe server: a new attempt is a new request to Stripe, a lost answer is not."""

from __future__ import annotations

import asyncio

from models.payments import Payment, PaymentStatus
from tests.payment_steps import (
    PAYMENTS,
    book,
    charge,
    codes,
    engaged_practice,
    save_card,
    session_id,
)

ISK_15000 = {"price": {"amount": 15000, "currency": "ISK"}}


async def test_a_declined_card_is_charged_anew_once_the_bank_allows_it(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api, **ISK_15000)
    card = await save_card(stripe_api, fake_stripe, practice.client, behaviour="decline",
                           decline_code="insufficient_funds")
    session = await book(practice)

    declined = await charge(stripe_api, practice, session)
    fake_stripe.set_card_behaviour(card, "succeed")  # the client topped up their account
    paid = await charge(stripe_api, practice, session)

    assert declined["payment"]["status"] == "FAILED"
    assert paid["userErrors"] == []
    assert paid["payment"]["status"] == "PAID"
    assert paid["payment"]["id"] != declined["payment"]["id"]
    assert paid["payment"]["receiptNumber"] == 1
    sent = fake_stripe.posts_to("/v1/payment_intents")
    assert [r.idempotency_key for r in sent] == [f"charge:{session.id}:{card}:1",
                                                 f"charge:{session.id}:{card}:2"]
    assert len(fake_stripe.payment_intents) == 2
    assert [c["amount"] for c in fake_stripe.charges] == [1500000]
    listed = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                    token=practice.professional))["payments"]
    assert [p["status"] for p in listed] == ["PAID", "FAILED"]


async def test_a_lost_answer_after_a_decline_is_retried_with_that_attempts_key(stripe_api,
                                                                              fake_stripe):
    practice = await engaged_practice(stripe_api)
    card = await save_card(stripe_api, fake_stripe, practice.client, behaviour="decline")
    session = await book(practice)
    await charge(stripe_api, practice, session)
    fake_stripe.set_card_behaviour(card, "succeed")
    fake_stripe.delay_next_response("/v1/payment_intents", 3.0)  # the answer is lost

    lost = await charge(stripe_api, practice, session)
    retried = await charge(stripe_api, practice, session)
    again = await charge(stripe_api, practice, session)

    assert codes(lost) == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert retried["payment"]["status"] == "PAID"
    assert again["payment"]["id"] == retried["payment"]["id"]
    assert len(fake_stripe.charges) == 1
    keys = [r.idempotency_key for r in fake_stripe.posts_to("/v1/payment_intents")]
    assert keys == [f"charge:{session.id}:{card}:1"] + [f"charge:{session.id}:{card}:2"] * 2
    assert await Payment.all().count() == 2


async def test_two_retries_racing_after_a_decline_charge_once(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    card = await save_card(stripe_api, fake_stripe, practice.client, behaviour="decline")
    session = await book(practice)
    await charge(stripe_api, practice, session)
    fake_stripe.set_card_behaviour(card, "succeed")

    results = await asyncio.gather(charge(stripe_api, practice, session),
                                   charge(stripe_api, practice, session))

    assert len(fake_stripe.charges) == 1
    assert "PAID" in [r["payment"]["status"] for r in results if r["payment"]]
    assert all(codes(r) in ([], ["ALREADY_PAID"]) for r in results)
    statuses = sorted(p.status for p in await Payment.all())
    assert statuses == sorted([PaymentStatus.FAILED, PaymentStatus.PAID])


async def test_a_payment_written_under_the_older_key_is_retried_with_that_key(stripe_api,
                                                                              fake_stripe):
    """A PROCESSING payment from before attempt numbers has `charge:<session>:<card>`: its
    retry must send that key, the one Stripe may have charged under."""
    practice = await engaged_practice(stripe_api)
    card = await save_card(stripe_api, fake_stripe, practice.client)
    session = await book(practice)
    fake_stripe.delay_next_response("/v1/payment_intents", 3.0)
    await charge(stripe_api, practice, session)
    await Payment.all().update(stripe_idempotency_key=f"charge:{session.id}:{card}")

    retried = await charge(stripe_api, practice, session)

    assert retried["payment"]["status"] == "PAID"
    assert fake_stripe.posts_to("/v1/payment_intents")[-1].idempotency_key \
        == f"charge:{session.id}:{card}"
    assert await Payment.all().count() == 1
