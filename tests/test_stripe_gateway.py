"""The Stripe gateway driving the real `stripe` library against a fake Stripe on loopback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

import settings as settings_module
from gateways.payment_errors import (
    CardPaymentsDisabled,
    GatewayMisconfigured,
    GatewayRejected,
    GatewayUnavailable,
    UnsupportedCurrency,
    WebhookSignatureError,
)
from gateways.payment_results import CardDetails
from gateways.stripe_amounts import CARD_CURRENCIES, from_stripe_amount, to_stripe_amount
from gateways.stripe_gateway import StripeGateway, parse_webhook
from receipts.money import exponent
from settings import Settings, SettingsError
from tests.fake_stripe import FakeStripe, event_payload, sign_webhook


@pytest.fixture(scope="module")
def stripe_server() -> Iterator[FakeStripe]:
    with FakeStripe.running() as fake:
        yield fake


@pytest.fixture
def fake_stripe(stripe_server: FakeStripe) -> FakeStripe:
    stripe_server.reset()
    return stripe_server


@pytest.fixture
def stripe_settings(settings: Settings, fake_stripe: FakeStripe) -> Settings:
    return settings.with_changes(
        stripe_secret_key=FakeStripe.API_KEY, stripe_webhook_secret=FakeStripe.WEBHOOK_SECRET,
        stripe_api_base=fake_stripe.url, stripe_max_network_retries=0,
    )


@pytest.fixture
async def gateway(stripe_settings: Settings) -> AsyncIterator[StripeGateway]:
    async with StripeGateway(stripe_settings) as gateway:
        yield gateway


async def customer_with_card(gateway: StripeGateway, fake: FakeStripe, **card: object) -> tuple[
        str, str]:
    customer = await gateway.ensure_customer(None, account_id="account-1")
    setup = await gateway.create_setup_intent(customer)
    card_id = fake.add_card(**card)  # type: ignore[arg-type]
    fake.complete_setup_intent(setup.setup_intent_id, card_id)
    return customer, card_id


# -- card on file -------------------------------------------------------------------------------

async def test_card_setup_creates_one_customer_and_an_off_session_setup_intent(gateway,
                                                                               fake_stripe):
    details = {"account_id": "account-1", "email": "thorunn@example.is",
               "name": "Þórunn Ólafsdóttir"}
    customer = await gateway.ensure_customer(None, **details)
    assert await gateway.ensure_customer(None, **details) == customer  # a concurrent setup
    assert await gateway.ensure_customer(customer, account_id="account-1") == customer
    assert list(fake_stripe.customers) == [customer]
    assert fake_stripe.customers[customer]["name"] == "Þórunn Ólafsdóttir"
    assert fake_stripe.customers[customer]["metadata"] == {"account_id": "account-1"}

    setup = await gateway.create_setup_intent(customer)

    assert setup.customer_id == customer
    assert setup.client_secret.startswith(f"{setup.setup_intent_id}_secret_")
    stored = fake_stripe.setup_intents[setup.setup_intent_id]
    assert stored["customer"] == customer
    assert stored["usage"] == "off_session"


async def test_a_customer_deleted_at_stripe_is_replaced(gateway, fake_stripe):
    first = await gateway.ensure_customer(None, account_id="account-1")
    fake_stripe.delete_customer(first)

    second = await gateway.ensure_customer(first, account_id="account-1")

    assert second != first
    assert fake_stripe.customers[second]["metadata"] == {"account_id": "account-1"}


async def test_saved_card_details_are_brand_last_four_and_expiry(gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe, brand="mastercard",
                                              last4="4444", exp_month=4, exp_year=2031)

    assert await gateway.payment_method_details(card) == CardDetails(
        payment_method_id=card, customer_id=customer, brand="mastercard", last4="4444",
        exp_month=4, exp_year=2031)


async def test_an_unknown_card_is_rejected_with_stripes_reason(gateway):
    with pytest.raises(GatewayRejected, match="No such payment_method") as caught:
        await gateway.payment_method_details("pm_missing")
    assert caught.value.code == "resource_missing"


# -- charging -----------------------------------------------------------------------------------

async def test_a_charge_in_isk_succeeds_and_sends_stripe_the_amount_with_two_decimals(
        gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe)

    result = await gateway.charge_off_session(
        customer_id=customer, payment_method_id=card, amount_minor=15000, currency="ISK",
        idempotency_key="charge:session-1", metadata={"session_id": "session-1"})

    assert result.outcome == "succeeded"
    assert (result.amount_minor, result.currency) == (15000, "ISK")
    assert result.client_secret is None
    assert fake_stripe.charges == [{"payment_intent": result.payment_intent_id,
                                    "amount": 1500000, "currency": "isk", "customer": customer,
                                    "payment_method": card}]
    sent = fake_stripe.posts_to("/v1/payment_intents")[0]
    assert sent.params["off_session"] == "true"
    assert sent.params["confirm"] == "true"
    assert sent.params["metadata"] == {"session_id": "session-1"}
    assert sent.idempotency_key == "charge:session-1"


@pytest.mark.parametrize(("amount", "currency", "sent"), [
    (5000, "JPY", 5000), (8000, "EUR", 8000), (1500000, "HUF", 1500000),
])
async def test_zero_and_two_decimal_currencies_are_sent_unchanged(gateway, fake_stripe, amount,
                                                                 currency, sent):
    customer, card = await customer_with_card(gateway, fake_stripe)

    await gateway.charge_off_session(customer_id=customer, payment_method_id=card,
                                     amount_minor=amount, currency=currency,
                                     idempotency_key="charge:session-1")

    assert [(c["amount"], c["currency"]) for c in fake_stripe.charges] == [
        (sent, currency.lower())]


async def test_the_library_retries_a_timed_out_charge_with_the_same_key_and_it_is_charged_once(
        stripe_settings, fake_stripe):
    quick = stripe_settings.with_changes(stripe_timeout_seconds=0.5, stripe_max_network_retries=2)
    async with StripeGateway(quick) as gateway:
        customer, card = await customer_with_card(gateway, fake_stripe)
        fake_stripe.delay_next_response("/v1/payment_intents", 2.0)

        result = await gateway.charge_off_session(
            customer_id=customer, payment_method_id=card, amount_minor=15000, currency="ISK",
            idempotency_key="charge:session-1")

    attempts = fake_stripe.posts_to("/v1/payment_intents")
    assert len(attempts) >= 2
    assert {a.idempotency_key for a in attempts} == {"charge:session-1"}
    assert result.outcome == "succeeded"
    assert len(fake_stripe.charges) == 1
    assert fake_stripe.charges[0]["payment_intent"] == result.payment_intent_id


async def test_a_charge_retried_by_the_caller_after_a_timeout_is_charged_once(stripe_settings,
                                                                             fake_stripe):
    quick = stripe_settings.with_changes(stripe_timeout_seconds=0.5)
    async with StripeGateway(quick) as gateway:
        customer, card = await customer_with_card(gateway, fake_stripe)
        fake_stripe.delay_next_response("/v1/payment_intents", 2.0)
        charge = {"customer_id": customer, "payment_method_id": card, "amount_minor": 15000,
                  "currency": "ISK", "idempotency_key": "charge:session-1"}

        with pytest.raises(GatewayUnavailable, match="Try again"):
            await gateway.charge_off_session(**charge)
        result = await gateway.charge_off_session(**charge)

    assert result.outcome == "succeeded"
    assert len(fake_stripe.charges) == 1
    assert fake_stripe.charges[0]["payment_intent"] == result.payment_intent_id


async def test_another_session_is_another_charge(gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe)
    for session in ("session-1", "session-2", "session-1"):
        await gateway.charge_off_session(customer_id=customer, payment_method_id=card,
                                         amount_minor=15000, currency="ISK",
                                         idempotency_key=f"charge:{session}")

    assert len(fake_stripe.charges) == 2


async def test_a_declined_card_fails_with_stripes_reason(gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe, behaviour="decline",
                                              decline_code="insufficient_funds")

    result = await gateway.charge_off_session(customer_id=customer, payment_method_id=card,
                                              amount_minor=15000, currency="ISK",
                                              idempotency_key="charge:session-1")

    assert result.outcome == "failed"
    assert result.failure_code == "card_declined"
    assert result.decline_code == "insufficient_funds"
    assert result.failure_message == "Your card has insufficient funds."
    assert result.payment_intent_id in fake_stripe.payment_intents
    assert fake_stripe.charges == []


async def test_a_card_needing_authentication_asks_the_client_to_confirm(gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe, behaviour="requires_action")

    result = await gateway.charge_off_session(customer_id=customer, payment_method_id=card,
                                              amount_minor=8000, currency="EUR",
                                              idempotency_key="charge:session-1")

    assert result.outcome == "requires_action"
    assert result.failure_code == "authentication_required"
    intent = fake_stripe.payment_intents[result.payment_intent_id]
    assert result.client_secret == intent["client_secret"]
    assert fake_stripe.charges == []


async def test_a_currency_without_a_known_stripe_rule_is_refused_before_calling_stripe(
        gateway, fake_stripe):
    with pytest.raises(UnsupportedCurrency, match="record the payment manually"):
        await gateway.charge_off_session(customer_id="cus_x", payment_method_id="pm_x",
                                         amount_minor=12340, currency="KWD",
                                         idempotency_key="charge:session-1")
    assert fake_stripe.requests == []


# -- cancelling ---------------------------------------------------------------------------------

async def test_an_intent_waiting_for_the_client_is_cancelled_and_a_second_cancel_reads_it_back(
        gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe, behaviour="requires_action")
    charge = await gateway.charge_off_session(customer_id=customer, payment_method_id=card,
                                              amount_minor=8000, currency="EUR",
                                              idempotency_key="charge:session-1")
    intent = charge.payment_intent_id
    assert intent

    first = await gateway.cancel_payment_intent(intent, idempotency_key="cancel:1")
    again = await gateway.cancel_payment_intent(intent, idempotency_key="cancel:2")

    assert (first, again) == ("canceled", "canceled")
    assert fake_stripe.payment_intents[intent]["status"] == "canceled"
    assert fake_stripe.posts_to(f"/v1/payment_intents/{intent}/cancel")[0].params \
        == {"cancellation_reason": "abandoned"}
    assert fake_stripe.charges == []


async def test_a_succeeded_intent_is_not_cancelled_and_its_status_is_answered(gateway,
                                                                             fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe)
    charge = await gateway.charge_off_session(customer_id=customer, payment_method_id=card,
                                              amount_minor=15000, currency="ISK",
                                              idempotency_key="charge:session-1")
    assert charge.payment_intent_id

    status = await gateway.cancel_payment_intent(charge.payment_intent_id,
                                                 idempotency_key="cancel:1")

    assert status == "succeeded"
    assert fake_stripe.payment_intents[charge.payment_intent_id]["status"] == "succeeded"


async def test_the_intent_of_a_lost_answer_is_found_by_our_payment_id(gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe)
    made = {}
    for payment in ("payment-1", "payment-2"):
        result = await gateway.charge_off_session(
            customer_id=customer, payment_method_id=card, amount_minor=15000, currency="ISK",
            idempotency_key=f"charge:{payment}", metadata={"payment_id": payment})
        made[payment] = result.payment_intent_id
    since = datetime.now(UTC) - timedelta(minutes=5)

    found = await gateway.find_payment_intent(customer, payment_id="payment-1",
                                              created_since=since)
    missing = await gateway.find_payment_intent(customer, payment_id="payment-3",
                                                created_since=since)

    assert (found, missing) == (made["payment-1"], None)
    listed = [r for r in fake_stripe.requests if r.method == "GET"
              and r.path == "/v1/payment_intents"]
    assert listed[0].params["customer"] == customer
    assert listed[0].params["created"] == {"gte": str(int(since.timestamp()))}


async def test_cancelling_an_unknown_intent_is_refused(gateway, fake_stripe):
    with pytest.raises(GatewayRejected, match="No such payment_intent"):
        await gateway.cancel_payment_intent("pi_missing", idempotency_key="cancel:1")


# -- refunds ------------------------------------------------------------------------------------

async def test_refund_part_then_the_rest_and_a_retried_refund_counts_once(gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe)
    charge = await gateway.charge_off_session(customer_id=customer, payment_method_id=card,
                                              amount_minor=15000, currency="ISK",
                                              idempotency_key="charge:session-1")
    intent = charge.payment_intent_id
    assert intent is not None

    part = await gateway.refund(payment_intent_id=intent, currency="ISK", amount_minor=5000,
                                idempotency_key="refund:1")
    again = await gateway.refund(payment_intent_id=intent, currency="ISK", amount_minor=5000,
                                 idempotency_key="refund:1")
    rest = await gateway.refund(payment_intent_id=intent, currency="ISK",
                                idempotency_key="refund:2")

    assert (part.amount_minor, part.currency, part.status) == (5000, "ISK", "succeeded")
    assert again == part
    assert rest.amount_minor == 10000
    assert sorted(r["amount"] for r in fake_stripe.refunds.values()) == [500000, 1000000]
    with pytest.raises(GatewayRejected, match="already been refunded") as caught:
        await gateway.refund(payment_intent_id=intent, currency="ISK", idempotency_key="refund:3")
    assert caught.value.code == "charge_already_refunded"


async def test_a_refund_larger_than_what_is_left_is_rejected(gateway, fake_stripe):
    customer, card = await customer_with_card(gateway, fake_stripe)
    charge = await gateway.charge_off_session(customer_id=customer, payment_method_id=card,
                                              amount_minor=8000, currency="EUR",
                                              idempotency_key="charge:session-1")
    assert charge.payment_intent_id is not None

    with pytest.raises(GatewayRejected, match="greater than unrefunded") as caught:
        await gateway.refund(payment_intent_id=charge.payment_intent_id, currency="EUR",
                             amount_minor=8001, idempotency_key="refund:1")
    assert caught.value.code == "amount_too_large"
    assert fake_stripe.refunds == {}


# -- configuration ------------------------------------------------------------------------------

async def test_without_stripe_keys_card_payments_are_not_enabled(settings):
    assert not settings.card_payments_enabled
    with pytest.raises(CardPaymentsDisabled, match="Card payments are not enabled"):
        StripeGateway(settings)
    with pytest.raises(CardPaymentsDisabled):
        parse_webhook(settings, b"{}", "t=1,v1=00")


async def test_a_wrong_secret_key_says_which_setting_to_fix(stripe_settings, fake_stripe):
    wrong = stripe_settings.with_changes(stripe_secret_key="sk_test_wrong")
    async with StripeGateway(wrong) as gateway:
        with pytest.raises(GatewayMisconfigured, match="STRIPE_SECRET_KEY"):
            await gateway.ensure_customer(None, account_id="account-1")


def test_settings_refuse_half_configured_card_payments():
    base = {"ENVIRONMENT": "test", "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "64"}
    with pytest.raises(SettingsError, match="STRIPE_WEBHOOK_SECRET"):
        settings_module.from_env({**base, "STRIPE_SECRET_KEY": "sk_test_x"})
    enabled = settings_module.from_env({**base, "STRIPE_SECRET_KEY": "sk_test_x",
                                        "STRIPE_WEBHOOK_SECRET": "whsec_x"})
    assert enabled.card_payments_enabled
    with pytest.raises(SettingsError, match="https"):
        settings_module.from_env({
            "ENVIRONMENT": "production", "SECRET_KEY": "k" * 43, "SMTP_HOST": "smtp.example.com",
            "STRIPE_SECRET_KEY": "sk_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_x", "STRIPE_API_BASE": "http://stripe.example"})


def test_amounts_convert_to_stripe_and_back():
    assert to_stripe_amount(15000, "ISK") == 1500000
    assert from_stripe_amount(1500000, "isk") == 15000
    assert to_stripe_amount(5000, "JPY") == from_stripe_amount(5000, "jpy") == 5000
    assert to_stripe_amount(1050, "EUR") == from_stripe_amount(1050, "eur") == 1050
    with pytest.raises(ValueError, match="not a whole"):
        from_stripe_amount(1500050, "isk")
    with pytest.raises(UnsupportedCurrency):
        to_stripe_amount(1000, "MGA")
    for currency, (ours, _stripes) in CARD_CURRENCIES.items():
        assert ours == exponent(currency), f"{currency}: gateway and receipts disagree"


# -- webhooks -----------------------------------------------------------------------------------

async def test_a_webhook_signed_with_the_endpoint_secret_is_parsed(stripe_settings):
    setup_intent = {"id": "seti_1", "object": "setup_intent", "status": "succeeded",
                    "customer": "cus_1", "payment_method": "pm_1"}
    payload = event_payload("setup_intent.succeeded", setup_intent, event_id="evt_1",
                            created=1_780_000_000)

    event = parse_webhook(stripe_settings, payload, sign_webhook(payload))

    assert (event.id, event.type, event.livemode) == ("evt_1", "setup_intent.succeeded", False)
    assert event.created.timestamp() == 1_780_000_000
    assert event.data_object == setup_intent


def _tampered(payload: bytes) -> tuple[bytes, str]:
    return payload.replace(b"succeeded", b"canceled"), sign_webhook(payload)


@pytest.mark.parametrize("forge", [
    pytest.param(lambda p: (p, sign_webhook(p, "whsec_someone_else")), id="other-secret"),
    pytest.param(_tampered, id="tampered-body"),
    pytest.param(lambda p: (p, None), id="no-header"),
    pytest.param(lambda p: (p, "v1=abc"), id="garbage-header"),
    pytest.param(lambda p: (p, sign_webhook(p, timestamp=int(time.time()) - 3600)), id="stale"),
])
async def test_a_webhook_that_is_not_provably_from_stripe_is_refused(stripe_settings, forge):
    payload = event_payload("payment_intent.succeeded", {"id": "pi_1", "status": "succeeded"})
    body, header = forge(payload)

    with pytest.raises(WebhookSignatureError, match="Refused a webhook"):
        parse_webhook(stripe_settings, body, header)


async def test_a_signed_body_that_is_not_an_event_is_refused(stripe_settings):
    body = b'{"hello": "world"}'
    with pytest.raises(WebhookSignatureError, match="not a Stripe event"):
        parse_webhook(stripe_settings, body, sign_webhook(body))
