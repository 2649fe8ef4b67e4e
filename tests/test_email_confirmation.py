"""Self-registration mails a confirmation link; following it confirms the address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.account_links import AccountLink
from models.accounts import Account
from tests.helpers import CURRENT_TERMS, PASSWORD, REGISTER, login
from tests.mailbox import html_of, text_of, token_in
from tests.practice_steps import VIEWER

CONFIRM = """
mutation($input: ConfirmEmailInput!) {
  confirmEmail(input: $input) { email emailConfirmed userErrors { field message code } }
}"""


async def test_registration_sends_a_link_and_sign_in_waits_for_it(api, mailbox):
    await api.data(REGISTER, {"input": {"email": "anna@example.com", "password": PASSWORD,
                                        "name": "Anna Jónsdóttir", "timeZone": "UTC",
                                        **CURRENT_TERMS}})
    before = await login(api, "anna@example.com")
    assert [e["code"] for e in before["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert before == await login(api, "anna@example.com", "not the password")
    await mailbox.deliver()
    email = mailbox.last("anna@example.com")
    assert email["Subject"] == "Confirm your email address"
    assert "Hello Anna Jónsdóttir," in text_of(email)
    assert "Confirm my email address" in html_of(email)

    confirmed = (await api.data(CONFIRM, {"input": {"token": token_in(email)}}))["confirmEmail"]
    assert confirmed == {"email": "anna@example.com", "emailConfirmed": True, "userErrors": []}
    session = (await login(api, "anna@example.com"))["token"]
    assert (await api.data(VIEWER, token=session))["viewer"]["emailConfirmed"] is True


async def test_confirmation_in_icelandic_for_an_icelandic_account(api, mailbox):
    await api.data(REGISTER, {"input": {"email": "thorunn@example.com", "password": PASSWORD,
                                        "name": "Þórunn", "timeZone": "Atlantic/Reykjavik",
                                        "locale": "is", **CURRENT_TERMS}})
    await mailbox.deliver()
    email = mailbox.last("thorunn@example.com")
    assert email["Subject"] == "Staðfestu netfangið þitt"
    assert "Halló Þórunn," in text_of(email)


async def test_forged_expired_and_used_confirmation_links_confirm_nothing(api, mailbox):
    await api.data(REGISTER, {"input": {"email": "anna@example.com", "password": PASSWORD,
                                        "name": "Anna", "timeZone": "UTC", **CURRENT_TERMS}})
    await mailbox.deliver()
    token = token_in(mailbox.last("anna@example.com"))

    forged = (await api.data(CONFIRM, {"input": {"token": "B" * 43}}))["confirmEmail"]
    assert [e["code"] for e in forged["userErrors"]] == ["INVALID_TOKEN"]

    await AccountLink.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    expired = (await api.data(CONFIRM, {"input": {"token": token}}))["confirmEmail"]
    assert [e["code"] for e in expired["userErrors"]] == ["TOKEN_EXPIRED"]
    assert (await Account.get()).email_confirmed_at is None

    await AccountLink.all().update(expires_at=datetime.now(UTC) + timedelta(hours=1))
    assert (await api.data(CONFIRM, {"input": {"token": token}}))["confirmEmail"][
        "emailConfirmed"] is True
    used = (await api.data(CONFIRM, {"input": {"token": token}}))["confirmEmail"]
    assert [e["code"] for e in used["userErrors"]] == ["TOKEN_USED"]
