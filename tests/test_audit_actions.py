"""Every action the privacy issue lists leaves one audit entry: who, what, about whom, from where.

Reads of notes and profiles, exports, erasures, cancelled payments and live-session joins have
their own tests beside their features (test_note_access, test_access_log, test_data_export,
test_account_deletion, test_payment_cancellation, test_live_waiting_room); this file covers
sign-ins, the second factor, passwords and money.
"""

from __future__ import annotations

import pyotp

from models.accounts import Account
from models.audit import AuditEntry
from models.payments import Payment
from resolvers.core import audit
from tests.helpers import PASSWORD, emailed_token, login, register
from tests.payment_steps import (
    CHARGE,
    REFUND,
    book,
    engaged_practice,
    record_manual,
    save_card,
    session_id,
)
from tests.test_password_reset import REQUEST_RESET, RESET

ENROL = """mutation($input: PasswordConfirmationInput!) {
  startTotpEnrolment(input: $input) { secret userErrors { code } } }"""
CONFIRM = """mutation($input: ConfirmTotpEnrolmentInput!) {
  confirmTotpEnrolment(input: $input) { userErrors { code } } }"""
DISABLE = """mutation($input: PasswordConfirmationInput!) {
  disableTotp(input: $input) { userErrors { code } } }"""
CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { userErrors { code } } }"""
NEW_PASSWORD = "another long passphrase"


async def only_entry(action: str) -> AuditEntry:
    [entry] = await AuditEntry.filter(action=action)
    return entry


async def test_a_sign_in_and_a_failed_one_are_recorded_about_the_account(api):
    await register(api, "anna@example.com")
    anna = await Account.get(email="anna@example.com")

    await login(api, "anna@example.com", "not the password at all")

    failed = await only_entry("login_failed")
    assert (failed.person_id, failed.subject_id, failed.actor_id) == (anna.id, anna.id, None)
    assert failed.address
    signed_in = await AuditEntry.filter(action="login").order_by("-sequence").first()
    assert signed_in is not None
    assert (signed_in.actor_id, signed_in.person_id) == (anna.id, anna.id)


async def test_turning_the_second_factor_on_and_off_is_recorded(api):
    token = await register(api, "anna@example.com")
    anna = await Account.get(email="anna@example.com")

    secret = (await api.data(ENROL, {"input": {"password": PASSWORD}}, token=token)
              )["startTotpEnrolment"]["secret"]
    confirmed = await api.data(CONFIRM, {"input": {"code": pyotp.TOTP(secret).now()}},
                               token=token)
    assert confirmed["confirmTotpEnrolment"]["userErrors"] == []
    disabled = await api.data(DISABLE, {"input": {"password": PASSWORD}}, token=token)
    assert disabled["disableTotp"]["userErrors"] == []

    for action in ("enable_totp", "disable_totp"):
        entry = await only_entry(action)
        assert (entry.actor_id, entry.person_id, entry.subject_id) == (anna.id, anna.id, anna.id)


async def test_a_password_change_and_a_reset_are_recorded(api, settings):
    token = await register(api, "anna@example.com")
    anna = await Account.get(email="anna@example.com")

    changed = await api.data(CHANGE_PASSWORD, {"input": {
        "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}}, token=token)
    assert changed["changePassword"]["userErrors"] == []
    await api.data(REQUEST_RESET, {"input": {"email": "anna@example.com"}})
    link = await emailed_token(settings, "anna@example.com", "password_reset")
    reset = await api.data(RESET, {"input": {"token": link, "newPassword": PASSWORD + "!"}})
    assert reset["resetPassword"]["userErrors"] == []

    for action in ("change_password", "request_password_reset", "reset_password"):
        entry = await only_entry(action)
        assert (entry.person_id, entry.subject_id) == (anna.id, anna.id), action


async def test_a_manual_payment_and_its_refund_are_recorded_about_the_client(api):
    practice = await engaged_practice(api)
    session = await book(practice)

    paid = await record_manual(api, practice.professional, session)
    assert paid["userErrors"] == []
    refunded = await api.data(REFUND, {"input": {"paymentId": paid["payment"]["id"],
                                                 "amount": 5000}}, token=practice.professional)
    assert refunded["refundPayment"]["userErrors"] == []

    payment = await Payment.get()
    for action in ("record_manual_payment", "refund_payment"):
        entry = await only_entry(action)
        assert (entry.actor_id, entry.person_id, entry.subject_id) == (
            practice.professional_id, practice.client_id, payment.id), action


async def test_a_card_charge_is_recorded_about_the_client(stripe_api, fake_stripe):
    practice = await engaged_practice(stripe_api)
    await save_card(stripe_api, fake_stripe, practice.client)
    session = await book(practice)

    charged = await stripe_api.data(CHARGE, {"input": {"sessionId": session_id(session)}},
                                    token=practice.professional)
    assert charged["chargeSession"]["userErrors"] == []

    entry = await only_entry("charge_session")
    assert (entry.actor_id, entry.person_id) == (practice.professional_id, practice.client_id)


async def test_every_entry_of_these_flows_is_sealed_in_one_chain(api, settings):
    await register(api, "anna@example.com")
    await login(api, "anna@example.com", "not the password at all")

    assert (await audit.verify(settings)).intact
