"""Emails about card payments, delivered through the outbox to a real SMTP server."""

from __future__ import annotations

from models.scheduling import SessionStatus
from resolvers.core.caller import Caller
from resolvers.payments import charges
from tests.mailbox import html_of, text_of
from tests.payment_steps import book, charge, engaged_practice, save_card


async def _delivered_so_far(mailbox):
    """Deliver what setting up sent (confirming the email, the approved request)."""
    await mailbox.deliver()
    return len(mailbox.messages)


async def _new_mail(mailbox, seen):
    await mailbox.deliver()
    return mailbox.messages[seen:]


async def test_a_payment_the_bank_wants_confirmed_emails_the_client_in_their_language(
        stripe_api, fake_stripe, mailbox):
    practice = await engaged_practice(stripe_api)  # Þórunn reads Icelandic
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="requires_action")
    session = await book(practice)
    seen = await _delivered_so_far(mailbox)

    first = await charge(stripe_api, practice, session)
    again = await charge(stripe_api, practice, session)  # the professional presses again
    [email] = await _new_mail(mailbox, seen)  # to the client only, once

    assert [first["payment"]["status"], again["payment"]["status"]] == ["REQUIRES_ACTION"] * 2
    assert email["To"] == "thorunn@example.is"
    assert email["Reply-To"] == "stofa@example.is"  # the practice's contact address
    assert email["Subject"] == "Staðfestu greiðslu til Sigrún Jónsdóttir"
    text = text_of(email)
    assert "Halló Þórunn Ólafsdóttir," in text
    assert "staðfesta kortagreiðslu til Sigrún Jónsdóttir fyrir tímann þinn " \
           "2026-03-02 10:00 (Atlantic/Reykjavik)" in text
    assert f"{stripe_api.settings.public_url}/hub" in text
    assert f'href="{stripe_api.settings.public_url}/hub"' in html_of(email)
    for secret in ("Psychological counselling", "18000", "18.000", "kr."):
        assert secret not in text
        assert secret not in html_of(email)


async def test_an_automatic_charge_that_needs_confirming_emails_an_english_client(
        stripe_api, stripe_settings, fake_stripe, mailbox):
    practice = await engaged_practice(stripe_api, client_email="anna@example.com",
                                      client_name="Anna Smith", locale="en", autoCharge=True)
    await save_card(stripe_api, fake_stripe, practice.client, behaviour="requires_action")
    session = await book(practice, status=SessionStatus.COMPLETED)
    seen = await _delivered_so_far(mailbox)

    payment = await charges.charge_automatically(
        Caller(settings=stripe_settings, account=None, address="test"), session)
    [email] = await _new_mail(mailbox, seen)

    assert payment is not None
    assert email["To"] == "anna@example.com"
    assert email["Subject"] == "Confirm your payment to Sigrún Jónsdóttir"
    assert "Open your hub and confirm the payment there." in text_of(email)


async def test_paid_and_declined_charges_send_no_confirmation_email(stripe_api, fake_stripe,
                                                                   mailbox):
    practice = await engaged_practice(stripe_api)
    card = await save_card(stripe_api, fake_stripe, practice.client, behaviour="decline")
    seen = await _delivered_so_far(mailbox)

    declined = await charge(stripe_api, practice, await book(practice))
    fake_stripe.set_card_behaviour(card, "succeed")
    paid = await charge(stripe_api, practice, await book(practice, day=1))

    assert [declined["payment"]["status"], paid["payment"]["status"]] == ["FAILED", "PAID"]
    assert await _new_mail(mailbox, seen) == []
