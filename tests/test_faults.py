"""Outside parts failing and coming back: mail and money are kept, sent once, charged once.

Each test breaks a real part of its own: an SMTP server (aiosmtpd) it started and stops, the
fake Stripe with nothing listening on its port (tests/fake_stripe.py `unreachable`) or
answering too late. The database outage is tests/test_database_outage.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.outbox import OutboxMessage, OutboxStatus
from models.payments import Payment, PaymentRefund, PaymentStatus
from tests.mailbox import Mailbox, SmtpServer, token_in
from tests.payment_steps import (
    PAYMENTS,
    REFUND,
    book,
    charge,
    codes,
    engaged_practice,
    save_card,
    session_id,
)
from tests.practice_steps import accept_as_new, create_service, invite, professional

ISK_15000 = {"price": {"amount": 15000, "currency": "ISK"}}


async def test_mail_written_while_smtp_is_down_is_sent_once_when_it_returns(api, settings):
    server = SmtpServer()
    server.start()
    try:
        await _mail_survives_an_smtp_outage(api, settings, server)
    finally:
        server.stop()


async def _mail_survives_an_smtp_outage(api, settings, server: SmtpServer) -> None:
    mailbox = Mailbox(settings, server)
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    await mailbox.deliver()  # the sign-up mail, before the fault
    before = len(mailbox.messages)

    server.stop()
    await invite(api, sigrun, service["id"], email="anna@example.com", name="Anna")
    t0 = datetime.now(UTC)
    down = await mailbox.deliver(now=t0)
    kept = await OutboxMessage.get(template="invitation")
    server.start()
    back = await mailbox.deliver(now=t0 + timedelta(minutes=5))
    later = await mailbox.deliver(now=t0 + timedelta(days=1))

    assert (down.sent, down.deferred) == (0, 1)
    assert kept.status is OutboxStatus.PENDING
    assert kept.content is not None
    assert back.sent == 1
    assert later.sent == 0
    assert len(mailbox.messages) == before + 1
    assert len(mailbox.to("anna@example.com")) == 1
    assert (await OutboxMessage.get(id=kept.id)).status is OutboxStatus.SENT
    accepted = await accept_as_new(api, token_in(mailbox.last("anna@example.com")), service)
    assert accepted["userErrors"] == []


async def test_a_charge_while_stripe_is_unreachable_is_refused_and_later_charged_once(
        stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice.client)
    session = await book(practice)

    with fake_stripe.unreachable():
        down = await charge(stripe_api, practice, session)
        again_down = await charge(stripe_api, practice, session)
    back = await charge(stripe_api, practice, session)
    repeat = await charge(stripe_api, practice, session)

    assert codes(down) == codes(again_down) == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert back["userErrors"] == []
    assert back["payment"]["status"] == "PAID"
    assert repeat["payment"]["id"] == back["payment"]["id"]
    assert [c["amount"] for c in fake_stripe.charges] == [1500000]
    assert await Payment.filter(status=PaymentStatus.PAID).count() == 1
    keys = {r.idempotency_key for r in fake_stripe.posts_to("/v1/payment_intents")}
    assert len(keys) == 1, "every try of this one charge carries one idempotency key"


async def test_a_charge_answered_too_late_then_stripe_down_then_back_is_charged_once(
        stripe_api, fake_stripe):
    """The request reaches Stripe and charges the card, the answer is lost to the timeout,
    the retry finds Stripe down: the payment stays PROCESSING (kept, not lost), and the
    retry once Stripe is back replays the first charge instead of making a second."""
    practice = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice.client)
    session = await book(practice)
    fake_stripe.delay_next_response("/v1/payment_intents", 3.0)

    slow = await charge(stripe_api, practice, session)
    with fake_stripe.unreachable():
        down = await charge(stripe_api, practice, session)
        pending = (await stripe_api.data(PAYMENTS, {"id": session_id(session)},
                                         token=practice.professional))["payments"]
    back = await charge(stripe_api, practice, session)

    assert codes(slow) == codes(down) == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert [p["status"] for p in pending] == ["PROCESSING"]
    assert back["payment"]["status"] == "PAID"
    assert back["payment"]["id"] == pending[0]["id"]
    assert len(fake_stripe.charges) == 1
    assert len(fake_stripe.payment_intents) == 1
    assert await Payment.all().count() == 1


async def test_a_slow_answer_inside_the_timeout_is_simply_paid(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client)
    session = await book(practice)
    fake_stripe.delay_next_response("/v1/payment_intents", 0.3)  # the timeout is 1 s

    paid = await charge(stripe_api, practice, session)

    assert paid["payment"]["status"] == "PAID"
    assert len(fake_stripe.charges) == 1


async def test_a_refund_while_stripe_is_unreachable_is_refused_and_later_made_once(
        stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api, **ISK_15000)
    await save_card(stripe_api, fake_stripe, practice.client)
    payment = (await charge(stripe_api, practice, await book(practice)))["payment"]
    refund = {"input": {"paymentId": payment["id"], "amount": 5000}}

    with fake_stripe.unreachable():
        down = (await stripe_api.data(REFUND, refund,
                                      token=practice.professional))["refundPayment"]
    back = (await stripe_api.data(REFUND, refund, token=practice.professional))["refundPayment"]

    assert codes(down) == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert back["userErrors"] == []
    assert back["payment"]["refunded"] == {"amount": 5000, "currency": "ISK"}
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [500000]
    assert await PaymentRefund.all().count() == 1
