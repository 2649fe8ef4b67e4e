"""Card payments through the real `stripe` library against the fake Stripe server, with
webhooks signed the way Stripe signs them."""

from __future__ import annotations

import asyncio

import pytest

from models.payments import Payment, PaymentStatus, ProcessedEvent, SavedCard
from models.practice import Service
from models.scheduling import SessionStatus
from resolvers.core.caller import Caller
from resolvers.core.errors import UserErrors
from resolvers.payments import charges
from resolvers.practice.card_requirement import require_card
from tests.payment_steps import (
    CHARGE,
    MY_CARD,
    PAYMENTS,
    REFUND,
    REMOVE_CARD,
    START_CARD_SETUP,
    book,
    codes,
    download,
    engaged_practice,
    pdf_text,
    post_event,
    record_manual,
    register_client,
    save_card,
    session_id,
)
from tests.practice_steps import create_service, professional, request

ISK_15000 = {"price": {"amount": 15000, "currency": "ISK"}}


async def charge(api, practice, session):
    return (await api.data(CHARGE, {"input": {"sessionId": session_id(session)}},
                           token=practice.professional))["chargeSession"]


async def test_a_professional_only_account_cannot_start_a_card_setup(stripe_api, fake_stripe):
    sigrun = await professional(stripe_api)
    setup = (await stripe_api.data(START_CARD_SETUP, token=sigrun))["startCardSetup"]
    assert setup["clientSecret"] is None
    assert codes(setup) == ["NOT_ALLOWED"]
    assert setup["userErrors"][0]["message"].startswith("Cards are saved by clients")
    assert fake_stripe.customers == {}
    assert await SavedCard.all().count() == 0


async def test_card_setup_makes_one_customer_and_the_webhook_saves_brand_last4_and_expiry(
        stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, brand="mastercard",
                    last4="4444", exp_month=4, exp_year=2031)
    await save_card(stripe_api, fake_stripe, practice.client)  # a second card replaces it

    mine = await stripe_api.data(MY_CARD, token=practice.client)

    assert mine == {"myCard": {"brand": "visa", "last4": "4242", "expMonth": 12,
                               "expYear": 2030}, "cardPaymentsEnabled": True}
    assert len(fake_stripe.customers) == 1
    [customer] = fake_stripe.customers.values()
    assert customer["metadata"] == {"account_id": str(practice.client_id)}
    assert customer["email"] is None  # Stripe learns nothing about the person
    row = await SavedCard.get()
    assert {row.brand, row.last4} == {"visa", "4242"}


async def test_an_older_card_event_arriving_late_does_not_replace_the_newer_card(
        stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, last4="1111")
    customer = (await SavedCard.get()).stripe_customer_id
    older = fake_stripe.add_card(customer=customer, last4="9999")

    late = await post_event(stripe_api, "setup_intent.succeeded", {
        "id": "seti_old", "object": "setup_intent", "customer": customer,
        "payment_method": older, "status": "succeeded"}, created=1_600_000_000)

    assert late.status_code == 200
    assert (await stripe_api.data(MY_CARD, token=practice.client))["myCard"]["last4"] == "1111"


async def test_remove_card_forgets_it_and_charging_then_asks_for_a_card(stripe_api,
                                                                        fake_stripe):
    practice = await engaged_practice(stripe_api)
    card = await save_card(stripe_api, fake_stripe, practice.client)

    removed = (await stripe_api.data(REMOVE_CARD, token=practice.client))["removeCard"]
    attempt = await charge(stripe_api, practice, await book(practice))

    assert removed == {"removed": True, "userErrors": []}
    assert fake_stripe.payment_methods[card]["customer"] is None  # detached at Stripe
    assert (await stripe_api.data(MY_CARD, token=practice.client))["myCard"] is None
    assert codes(attempt) == ["NO_CARD"]
    assert fake_stripe.posts_to("/v1/payment_intents") == []


async def test_isk_is_sent_to_stripe_with_two_decimals_and_the_receipt_says_15000_kr(
        stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice.client)

    result = await charge(stripe_api, practice, await book(practice))

    assert result["userErrors"] == []
    payment = result["payment"]
    assert payment["status"] == "PAID"
    assert payment["amount"] == {"amount": 15000, "currency": "ISK"}
    assert payment["card"] == {"brand": "visa", "last4": "4242"}
    assert payment["receiptNumber"] == 1
    [sent] = fake_stripe.posts_to("/v1/payment_intents")
    assert (sent.params["amount"], sent.params["currency"]) == ("1500000", "isk")
    assert sent.params["off_session"] == "true"
    assert [c["amount"] for c in fake_stripe.charges] == [1500000]
    text = pdf_text((await download(stripe_api, payment["receiptUrl"])).content)
    assert "Samtals greitt 15.000 kr." in text
    assert "Greiðslumáti: Visa sem endar á 4242" in text


async def test_a_charge_retried_after_a_timeout_is_charged_once(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice.client)
    session = await book(practice)
    fake_stripe.delay_next_response("/v1/payment_intents", 3.0)  # the answer is lost

    lost = await charge(stripe_api, practice, session)
    pending = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                     token=practice.professional))["payments"]
    retried = await charge(stripe_api, practice, session)
    again = await charge(stripe_api, practice, session)

    assert codes(lost) == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert "a retry never charges twice" in lost["userErrors"][0]["message"]
    assert [p["status"] for p in pending] == ["PROCESSING"]
    assert retried["payment"]["status"] == "PAID"
    assert again["payment"]["id"] == retried["payment"]["id"]
    assert len(fake_stripe.charges) == 1
    keys = {r.idempotency_key for r in fake_stripe.posts_to("/v1/payment_intents")}
    assert len(keys) == 1
    assert await Payment.all().count() == 1


async def test_a_double_click_charges_once(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client)
    session = await book(practice)

    results = await asyncio.gather(charge(stripe_api, practice, session),
                                   charge(stripe_api, practice, session))

    assert len(fake_stripe.charges) == 1
    assert "PAID" in [r["payment"]["status"] for r in results if r["payment"]]
    assert all(codes(r) in ([], ["ALREADY_PAID"]) for r in results)


async def test_a_declined_card_fails_with_stripes_reason(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="decline",
                    decline_code="insufficient_funds")
    session = await book(practice)

    result = await charge(stripe_api, practice, session)

    payment = result["payment"]
    assert payment["status"] == "FAILED"
    assert payment["failureCode"] == "insufficient_funds"
    assert payment["failureMessage"] == "Your card has insufficient funds."
    assert payment["receiptNumber"] is None
    assert payment["receiptUrl"] is None
    assert fake_stripe.charges == []
    manual = await record_manual(stripe_api, practice.professional, session)
    assert manual["payment"]["status"] == "PAID"  # a failed attempt does not block paying


async def test_requires_action_asks_the_client_and_the_webhook_completes_it(stripe_api,
                                                                           fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="requires_action")
    session = await book(practice)

    result = await charge(stripe_api, practice, session)
    as_client = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                       token=practice.client))["payments"][0]

    assert result["payment"]["status"] == "REQUIRES_ACTION"
    assert result["payment"]["clientSecret"] is None  # never to the professional
    assert as_client["clientSecret"].startswith("pi_")
    intent_id = as_client["clientSecret"].split("_secret_")[0]
    done = await post_event(stripe_api, "payment_intent.succeeded",
                            {"id": intent_id, "object": "payment_intent", "status": "succeeded",
                             "metadata": {}})
    assert done.status_code == 200
    paid = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                  token=practice.client))["payments"][0]
    assert (paid["status"], paid["receiptNumber"], paid["clientSecret"]) == ("PAID", 1, None)


async def test_stripes_failure_event_for_the_attempt_that_needs_the_client_keeps_it_waiting(
        stripe_api, fake_stripe):
    """Stripe also reports the off-session attempt that needed authentication as
    payment_intent.payment_failed: the client must still be able to confirm it; a real
    decline after their confirmation fails it."""
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="requires_action")
    session = await book(practice)
    await charge(stripe_api, practice, session)
    row = await Payment.get()
    intent = {"id": row.stripe_payment_intent_id, "object": "payment_intent",
              "metadata": {"payment_id": str(row.id)}}

    needs_client = await post_event(stripe_api, "payment_intent.payment_failed", {
        **intent, "last_payment_error": {"code": "authentication_required",
                                         "message": "Authentication required."}},
        event_id="evt_needs_client")
    waiting = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                     token=practice.client))["payments"][0]
    declined = await post_event(stripe_api, "payment_intent.payment_failed", {
        **intent, "last_payment_error": {"code": "card_declined", "decline_code":
                                         "insufficient_funds", "message": "Declined."}},
        event_id="evt_declined")

    assert needs_client.json()["outcome"] == "awaiting the client"
    assert waiting["status"] == "REQUIRES_ACTION"
    assert waiting["clientSecret"].startswith("pi_")
    assert declined.json()["outcome"] == "failed"
    failed = await Payment.get()
    assert (failed.status, failed.failure_code) == (PaymentStatus.FAILED, "insufficient_funds")


async def test_a_webhook_with_a_wrong_signature_is_refused_and_changes_nothing(stripe_api,
                                                                             fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="requires_action")
    session = await book(practice)
    payment = (await charge(stripe_api, practice, session))["payment"]
    row = await Payment.get()
    intent = {"id": row.stripe_payment_intent_id, "object": "payment_intent", "metadata": {}}

    forged = await post_event(stripe_api, "payment_intent.succeeded", intent,
                              secret="whsec_someone_else")
    unsigned = await stripe_api.http.post("/webhooks/stripe", content=b'{"id": "evt_1"}')

    assert forged.status_code == 400
    assert unsigned.status_code == 400
    assert (await Payment.get()).status is PaymentStatus.REQUIRES_ACTION
    assert payment["status"] == "REQUIRES_ACTION"
    assert await ProcessedEvent.all().count() == 1  # only the card setup's event


async def test_replayed_and_out_of_order_events_change_nothing(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="requires_action")
    session = await book(practice)
    await charge(stripe_api, practice, session)
    row = await Payment.get()
    intent = {"id": row.stripe_payment_intent_id, "object": "payment_intent",
              "metadata": {"payment_id": str(row.id)}}

    succeeded = await post_event(stripe_api, "payment_intent.succeeded", intent,
                                 event_id="evt_paid", created=2_000_000_100)
    replayed = await post_event(stripe_api, "payment_intent.succeeded", intent,
                                event_id="evt_paid", created=2_000_000_100)
    older_failure = await post_event(stripe_api, "payment_intent.payment_failed", {
        **intent, "last_payment_error": {"code": "card_declined", "message": "Declined."},
    }, event_id="evt_failed_earlier", created=2_000_000_000)
    refunded = {"id": "ch_1", "object": "charge", "payment_intent": intent["id"],
                "currency": "isk", "amount": 1500000, "amount_refunded": 500000}
    first_refund = await post_event(stripe_api, "charge.refunded", refunded,
                                    event_id="evt_refund_2", created=2_000_000_300)
    stale_refund = await post_event(stripe_api, "charge.refunded",
                                    {**refunded, "amount_refunded": 200000},
                                    event_id="evt_refund_1", created=2_000_000_200)

    for response in (succeeded, replayed, older_failure, first_refund, stale_refund):
        assert response.status_code == 200
    assert replayed.json()["outcome"] == "duplicate"
    payment = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                     token=practice.professional))["payments"][0]
    assert payment["status"] == "PAID"
    assert payment["receiptNumber"] == 1
    assert payment["failureMessage"] is None
    assert payment["refunded"] == {"amount": 5000, "currency": "ISK"}
    second = await record_manual(stripe_api, practice.professional,
                                 await book(practice, day=7))
    assert second["payment"]["receiptNumber"] == 2  # the replay took no number


async def test_unknown_event_types_are_acknowledged_and_ignored(stripe_api):
    response = await post_event(stripe_api, "customer.subscription.created",
                                {"id": "sub_1", "object": "subscription"})

    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "ignored"}
    assert await ProcessedEvent.all().count() == 0


async def test_webhooks_without_stripe_keys_are_not_found(api):
    response = await post_event(api, "payment_intent.succeeded", {"id": "pi_1"})

    assert response.status_code == 404


async def test_card_refunds_in_part_and_in_full_go_to_stripe_in_its_units(stripe_api,
                                                                         fake_stripe):
    practice = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice.client)
    payment = (await charge(stripe_api, practice, await book(practice)))["payment"]

    partial = (await stripe_api.data(REFUND, {"input": {"paymentId": payment["id"],
                                                        "amount": 5000}},
                                     token=practice.professional))["refundPayment"]
    full = (await stripe_api.data(REFUND, {"input": {"paymentId": payment["id"]}},
                                  token=practice.professional))["refundPayment"]
    stripe_echo = await post_event(stripe_api, "charge.refunded", {
        "id": "ch_1", "object": "charge", "payment_intent": (await Payment.get())
        .stripe_payment_intent_id, "currency": "isk", "amount_refunded": 1500000})

    assert partial["payment"]["status"] == "PAID"
    assert partial["payment"]["refunded"]["amount"] == 5000
    assert full["payment"]["status"] == "REFUNDED"
    assert full["payment"]["refunded"]["amount"] == 15000
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [500000, 1000000]
    assert stripe_echo.json()["outcome"] == "no change"
    assert [r["amount"]["amount"] for r in full["payment"]["refunds"]] == [5000, 10000]


async def test_automatic_charge_on_completion_follows_the_service_setting(
        stripe_api, stripe_settings, fake_stripe):
    practice = await engaged_practice(stripe_api, autoCharge=True)
    await save_card(stripe_api, fake_stripe, practice.client)
    caller = Caller(settings=stripe_settings, account=None, address="test")
    completed = await book(practice, status=SessionStatus.COMPLETED)
    late = await book(practice, day=1, status=SessionStatus.LATE_CANCELLED)
    scheduled = await book(practice, day=2, status=SessionStatus.SCHEDULED)

    paid = await charges.charge_automatically(caller, completed)
    paid_late = await charges.charge_automatically(caller, late)
    not_yet = await charges.charge_automatically(caller, scheduled)
    await Service.all().update(auto_charge=False)
    off = await charges.charge_automatically(caller, await book(practice, day=3))

    assert paid is not None
    assert paid.status is PaymentStatus.PAID
    assert paid_late is not None
    assert paid_late.status is PaymentStatus.PAID
    assert (not_yet, off) == (None, None)
    assert len(fake_stripe.charges) == 2


async def test_a_service_that_requires_a_card_refuses_until_one_is_on_file(
        stripe_api, stripe_settings, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await Service.all().update(card_required=True)
    service = await Service.get()

    with pytest.raises(UserErrors) as refused:
        await require_card(stripe_settings, practice.client_id, service)
    await save_card(stripe_api, fake_stripe, practice.client)
    await require_card(stripe_settings, practice.client_id, service)

    assert refused.value.errors[0].code.value == "CARD_REQUIRED"
    assert "add one under Payments" in refused.value.errors[0].message


async def test_a_failed_charge_confirmed_after_a_manual_payment_is_kept_as_paid(
        stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="requires_action")
    session = await book(practice)
    await charge(stripe_api, practice, session)
    row = await Payment.get()
    intent = {"id": row.stripe_payment_intent_id, "object": "payment_intent", "metadata": {}}
    await post_event(stripe_api, "payment_intent.payment_failed", intent)
    await record_manual(stripe_api, practice.professional, session)

    late = await post_event(stripe_api, "payment_intent.succeeded", intent)

    assert late.json()["outcome"] == "paid"
    found = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                   token=practice.professional))["payments"]
    assert sorted((p["method"], p["status"], p["receiptNumber"]) for p in found) == [
        ("CARD", "PAID", 2), ("CASH", "PAID", 1)]


async def test_requesting_a_service_that_requires_a_card_asks_for_one_first(
        stripe_api, fake_stripe):
    sigrun = await professional(stripe_api)
    service = await create_service(stripe_api, sigrun, cardRequired=True)
    anna = await register_client(stripe_api, "anna@example.com", "Anna Jónsdóttir")

    refused = await request(stripe_api, anna, service)
    await save_card(stripe_api, fake_stripe, anna)
    accepted = await request(stripe_api, anna, service)

    assert codes(refused) == ["CARD_REQUIRED"]
    assert accepted["userErrors"] == []
    assert accepted["engagement"]["status"] == "REQUESTED"
