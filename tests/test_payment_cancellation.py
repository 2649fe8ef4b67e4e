"""Cancelling a card payment that is still waiting (cancelPayment, and Stripe's
payment_intent.canceled webhook), through the real `stripe` library and the fake Stripe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from strawberry import relay

from models.audit import AuditEntry
from models.payments import Payment, PaymentStatus
from tests.payment_steps import (
    CANCEL_PAYMENT,
    PAYMENTS,
    book,
    cancel,
    charge,
    codes,
    engaged_practice,
    post_event,
    record_manual,
    save_card,
    session_id,
)
from tests.practice_steps import professional


async def _waiting_for_the_client(api, fake):
    practice = await engaged_practice(api)
    card = await save_card(api, fake, practice.client, behaviour="requires_action")
    session = await book(practice)
    payment = (await charge(api, practice, session))["payment"]
    assert payment["status"] == "REQUIRES_ACTION"
    return practice, card, session, payment


async def test_a_payment_the_client_never_confirmed_is_cancelled_and_the_session_paid_by_hand(
        stripe_api, fake_stripe):
    practice, _, session, payment = await _waiting_for_the_client(stripe_api, fake_stripe)

    blocked = await record_manual(stripe_api, practice.professional, session)
    cancelled = await cancel(stripe_api, practice.professional, payment["id"])
    manual = await record_manual(stripe_api, practice.professional, session)

    assert codes(blocked) == ["ALREADY_PAID"]
    assert "cancel that payment first" in blocked["userErrors"][0]["message"]
    assert cancelled["userErrors"] == []
    assert (cancelled["payment"]["status"], cancelled["payment"]["failureCode"]) \
        == ("FAILED", "canceled")
    assert cancelled["payment"]["clientSecret"] is None
    [intent] = fake_stripe.payment_intents.values()
    assert intent["status"] == "canceled"
    assert fake_stripe.charges == []
    assert manual["userErrors"] == []
    assert manual["payment"]["status"] == "PAID"
    row = await Payment.get(id=relay.GlobalID.from_id(payment["id"]).node_id)
    assert row.settles_session_id is None
    assert await AuditEntry.filter(action="cancel_payment", subject_id=row.id).count() == 1


async def test_after_cancelling_the_card_is_charged_anew(stripe_api, fake_stripe):
    practice, card, session, payment = await _waiting_for_the_client(stripe_api, fake_stripe)
    replayed = await charge(stripe_api, practice, session)

    await cancel(stripe_api, practice.professional, payment["id"])
    fake_stripe.set_card_behaviour(card, "succeed")  # the bank no longer asks
    paid = await charge(stripe_api, practice, session)

    assert replayed["payment"]["id"] == payment["id"]  # still waiting: the same payment
    assert replayed["payment"]["status"] == "REQUIRES_ACTION"
    assert paid["payment"]["status"] == "PAID"
    assert paid["payment"]["id"] != payment["id"]
    assert len(fake_stripe.charges) == 1
    listed = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                    token=practice.professional))["payments"]
    assert [(p["status"], p["failureCode"]) for p in listed] == [("PAID", None),
                                                                 ("FAILED", "canceled")]


async def test_a_processing_payment_is_cancelled_at_stripe(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="processing")
    session = await book(practice)
    payment = (await charge(stripe_api, practice, session))["payment"]

    cancelled = await cancel(stripe_api, practice.professional, payment["id"])

    row = await Payment.get()
    assert payment["status"] == "PROCESSING"
    assert (cancelled["payment"]["status"], row.settles_session_id) == ("FAILED", None)
    [sent] = fake_stripe.posts_to(f"/v1/payment_intents/{row.stripe_payment_intent_id}/cancel")
    assert sent.idempotency_key == f"cancel:{row.id}"
    assert fake_stripe.payment_intents[row.stripe_payment_intent_id]["status"] == "canceled"


async def test_a_payment_the_client_confirmed_meanwhile_is_not_cancelled(stripe_api,
                                                                        fake_stripe):
    practice, _, _, payment = await _waiting_for_the_client(stripe_api, fake_stripe)
    fake_stripe.succeed_payment_intent((await Payment.get()).stripe_payment_intent_id)

    refused = await cancel(stripe_api, practice.professional, payment["id"])

    assert codes(refused) == ["WRONG_STATUS"]
    assert "can no longer be cancelled" in refused["userErrors"][0]["message"]
    assert refused["payment"] is None
    row = await Payment.get()
    assert (row.status, row.settles_session_id) == (PaymentStatus.REQUIRES_ACTION,
                                                    row.session_id)
    assert await AuditEntry.filter(action="cancel_payment").count() == 0


async def test_only_a_waiting_payment_of_ones_own_can_be_cancelled(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client)
    paid = (await charge(stripe_api, practice, await book(practice)))["payment"]
    other = await professional(stripe_api, "gudrun@example.com", "Guðrún Jónsdóttir")
    random_id = relay.to_base64("Payment", "7c0b6a4e-8d51-4b53-9a0e-2f9d1b7e4c11")

    wrong_status = await cancel(stripe_api, practice.professional, paid["id"])
    not_theirs = await cancel(stripe_api, other, paid["id"])
    missing = await cancel(stripe_api, practice.professional, random_id)
    as_client = await stripe_api(CANCEL_PAYMENT, {"input": {"paymentId": paid["id"]}},
                                 token=practice.client)

    assert codes(wrong_status) == ["WRONG_STATUS"]
    assert "Refund a paid one instead" in wrong_status["userErrors"][0]["message"]
    assert not_theirs == missing
    assert codes(missing) == ["NOT_FOUND"]
    assert as_client["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    assert [r.path for r in fake_stripe.requests if r.path.endswith("/cancel")] == []
    assert (await Payment.get()).status is PaymentStatus.PAID


async def _answer_lost(api, fake, **card):
    practice = await engaged_practice(api)
    method = await save_card(api, fake, practice.client, **card)
    session = await book(practice)
    lost = await charge(api, practice, session)
    assert codes(lost) == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    pending = (await api.data(PAYMENTS, {"id": session_id(session)},
                              token=practice.professional))["payments"][0]
    assert pending["status"] == "PROCESSING"
    assert (await Payment.get()).stripe_payment_intent_id is None
    return practice, method, session, pending


async def test_a_payment_whose_answer_was_lost_is_found_at_stripe_and_cancelled(stripe_api,
                                                                               fake_stripe):
    fake_stripe.delay_next_response("/v1/payment_intents", 3.0)
    practice, _, _, pending = await _answer_lost(stripe_api, fake_stripe,
                                                 behaviour="requires_action")

    cancelled = await cancel(stripe_api, practice.professional, pending["id"])

    assert cancelled["userErrors"] == []
    assert cancelled["payment"]["failureCode"] == "canceled"
    [intent] = fake_stripe.payment_intents.values()
    assert intent["status"] == "canceled"
    assert intent["metadata"]["payment_id"] == str((await Payment.get()).id)
    assert (await Payment.get()).stripe_payment_intent_id == intent["id"]


async def test_a_lost_answer_that_was_paid_is_not_cancelled_and_the_retry_shows_it(
        stripe_api, fake_stripe):
    fake_stripe.delay_next_response("/v1/payment_intents", 3.0)
    practice, _, session, pending = await _answer_lost(stripe_api, fake_stripe)

    refused = await cancel(stripe_api, practice.professional, pending["id"])
    retried = await charge(stripe_api, practice, session)

    assert codes(refused) == ["WRONG_STATUS"]
    assert "can no longer be cancelled" in refused["userErrors"][0]["message"]
    assert retried["payment"]["status"] == "PAID"
    assert len(fake_stripe.charges) == 1


async def test_a_charge_that_never_reached_stripe_is_cancelled_once_it_cannot_arrive(
        stripe_api, fake_stripe):
    fake_stripe.refuse_next_request("/v1/payment_intents")
    practice, card, session, pending = await _answer_lost(stripe_api, fake_stripe)

    too_soon = await cancel(stripe_api, practice.professional, pending["id"])
    await Payment.all().update(created_at=datetime.now(UTC) - timedelta(minutes=10))
    cancelled = await cancel(stripe_api, practice.professional, pending["id"])
    paid = await charge(stripe_api, practice, session)

    assert codes(too_soon) == ["WRONG_STATUS"]
    assert "try again in a couple of minutes" in too_soon["userErrors"][0]["message"]
    assert cancelled["payment"]["failureCode"] == "canceled"
    assert [r.path for r in fake_stripe.requests if r.path.endswith("/cancel")] == []
    assert paid["payment"]["status"] == "PAID"
    assert fake_stripe.posts_to("/v1/payment_intents")[-1].idempotency_key \
        == f"charge:{session.id}:{card}:2"
    assert len(fake_stripe.charges) == 1


async def test_stripes_canceled_event_frees_the_session_once(stripe_api, fake_stripe):
    practice, _, session, _ = await _waiting_for_the_client(stripe_api, fake_stripe)
    row = await Payment.get()
    intent = {"id": row.stripe_payment_intent_id, "object": "payment_intent",
              "status": "canceled", "metadata": {"payment_id": str(row.id)}}

    first = await post_event(stripe_api, "payment_intent.canceled", intent, event_id="evt_c")
    replay = await post_event(stripe_api, "payment_intent.canceled", intent, event_id="evt_c")
    manual = await record_manual(stripe_api, practice.professional, session)
    late = await post_event(stripe_api, "payment_intent.canceled", intent)

    assert [r.json()["outcome"] for r in (first, replay, late)] \
        == ["canceled", "duplicate", "no change"]
    row = await Payment.get(id=row.id)
    assert (row.status, row.failure_code, row.settles_session_id, row.client_secret) \
        == (PaymentStatus.FAILED, "canceled", None, None)
    assert manual["payment"]["status"] == "PAID"


async def test_a_canceled_event_never_unpays_a_paid_payment(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client)
    await charge(stripe_api, practice, await book(practice))
    row = await Payment.get()

    response = await post_event(stripe_api, "payment_intent.canceled", {
        "id": row.stripe_payment_intent_id, "object": "payment_intent", "metadata": {}})

    assert response.json()["outcome"] == "no change"
    assert (await Payment.get()).status is PaymentStatus.PAID
