"""Forgotten passwords: the emailed link works once, expires, and cannot be forged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crypto.notes import NoteError
from models.account_links import AccountLink
from models.accounts import Account
from models.outbox import OutboxMessage
from tests.helpers import VIEWER, login, register
from tests.mailbox import text_of, token_in
from tests.notes_support import SAMPLE, open_as, register_professional, seal_sample

REQUEST_RESET = """
mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { accepted userErrors { field message code } }
}"""
RESET = """
mutation($input: ResetPasswordInput!) {
  resetPassword(input: $input) { passwordChanged userErrors { field message code } }
}"""
NEW_PASSWORD = "a fresh new passphrase"


async def _reset_link(api, mailbox, email="anna@example.com"):
    await api.data(REQUEST_RESET, {"input": {"email": email}})
    await mailbox.deliver()
    return token_in(mailbox.last(email))


async def _reset(api, token, password=NEW_PASSWORD):
    return (await api.data(RESET, {"input": {"token": token, "newPassword": password}}
                           ))["resetPassword"]


async def test_answer_is_identical_for_known_and_unknown_emails(api, mailbox):
    await register(api, "anna@example.com")
    known = await api(REQUEST_RESET, {"input": {"email": "anna@example.com"}})
    unknown = await api(REQUEST_RESET, {"input": {"email": "nobody@example.com"}})
    assert known == unknown == {"data": {"requestPasswordReset": {"accepted": True,
                                                                  "userErrors": []}}}
    await mailbox.deliver()
    assert mailbox.to("nobody@example.com") == []
    assert len(mailbox.to("anna@example.com")) == 2  # the sign-up confirmation, the reset link


async def test_reset_link_sets_the_password_and_signs_out_every_device(api, mailbox):
    first_device = await register(api, "anna@example.com")
    second_device = (await login(api, "anna@example.com"))["token"]
    token = await _reset_link(api, mailbox)
    email = mailbox.last("anna@example.com")
    assert email["Subject"] == "Reset your password"
    assert "works once, for 30 minutes" in text_of(email)

    assert await _reset(api, token) == {"passwordChanged": True, "userErrors": []}
    assert (await api.data(VIEWER, token=first_device))["viewer"] is None
    assert (await api.data(VIEWER, token=second_device))["viewer"] is None
    assert (await login(api, "anna@example.com"))["token"] is None
    signed_in = await login(api, "anna@example.com", NEW_PASSWORD)
    assert signed_in["token"]
    account = await Account.get(email="anna@example.com")
    assert account.email_confirmed_at is not None
    await mailbox.deliver()
    assert mailbox.last("anna@example.com")["Subject"] == "Your password was changed"


async def test_reset_link_works_only_once(api, mailbox):
    await register(api, "anna@example.com")
    token = await _reset_link(api, mailbox)
    assert (await _reset(api, token))["passwordChanged"] is True
    again = await _reset(api, token, "yet another passphrase")
    assert again["passwordChanged"] is False
    assert [e["code"] for e in again["userErrors"]] == ["TOKEN_USED"]
    assert (await login(api, "anna@example.com", NEW_PASSWORD))["token"]


async def test_a_newer_reset_voids_the_older_link(api, mailbox):
    await register(api, "anna@example.com")
    older = await _reset_link(api, mailbox)
    newer = await _reset_link(api, mailbox)
    assert (await _reset(api, newer))["passwordChanged"] is True
    assert [e["code"] for e in (await _reset(api, older))["userErrors"]] == ["TOKEN_USED"]


async def test_reset_link_expires(api, mailbox):
    await register(api, "anna@example.com")
    token = await _reset_link(api, mailbox)
    await AccountLink.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    expired = await _reset(api, token)
    assert [e["code"] for e in expired["userErrors"]] == ["TOKEN_EXPIRED"]
    assert expired["userErrors"][0]["message"] == (
        "This password reset link has expired. Ask for a new one from the sign-in page."
    )
    assert (await login(api, "anna@example.com"))["token"]


async def test_forged_reset_tokens_change_nothing(api, mailbox):
    session = await register(api, "anna@example.com")
    token = await _reset_link(api, mailbox)
    before = await Account.get(email="anna@example.com")
    for forged in ["A" * 43, token[:-2], token + "x", "", "reset-me-please"]:
        result = await _reset(api, forged)
        assert result["passwordChanged"] is False
        assert [e["code"] for e in result["userErrors"]] == ["INVALID_TOKEN"], forged
    after = await Account.get(email="anna@example.com")
    assert after.password_hash == before.password_hash
    assert (await api.data(VIEWER, token=session))["viewer"]["email"] == "anna@example.com"
    assert (await _reset(api, token))["passwordChanged"] is True


async def test_a_confirmation_token_is_not_a_reset_token(api, mailbox):
    await register(api, "anna@example.com")
    await mailbox.deliver()
    confirmation = token_in(mailbox.last("anna@example.com"))
    assert [e["code"] for e in (await _reset(api, confirmation))["userErrors"]] == [
        "INVALID_TOKEN"
    ]


async def test_a_weak_password_does_not_use_up_the_link(api, mailbox):
    await register(api, "anna@example.com")
    token = await _reset_link(api, mailbox)
    weak = await _reset(api, token, "short")
    assert [(e["field"], e["code"]) for e in weak["userErrors"]] == [
        ("newPassword", "WEAK_PASSWORD")
    ]
    assert (await _reset(api, token))["passwordChanged"] is True


async def test_reset_emails_are_limited_per_hour_without_changing_the_answer(api, mailbox):
    await register(api, "anna@example.com")
    answers = [await api(REQUEST_RESET, {"input": {"email": "anna@example.com"}})
               for _ in range(5)]
    assert all(answer == answers[0] for answer in answers)
    assert await AccountLink.filter(purpose="reset_password").count() == 3
    assert await OutboxMessage.filter(template="password_reset").count() == 3


RESET_PROFESSIONAL = """
mutation($input: ResetPasswordInput!) {
  resetPassword(input: $input) {
    passwordChanged notesKept notesMessage noteRecoveryKey userErrors { field message code }
  }
}"""


async def _reset_professional(api, token, recovery_key=None):
    return (await api.data(RESET_PROFESSIONAL, {"input": {
        "token": token, "newPassword": NEW_PASSWORD, "noteRecoveryKey": recovery_key,
    }}))["resetPassword"]


async def test_professional_reset_with_the_recovery_key_keeps_notes_readable(
        api, mailbox, settings):
    _, recovery_key = await register_professional(api, "sigrun@example.com")
    sealed, ids = await seal_sample("sigrun@example.com")
    token = await _reset_link(api, mailbox, "sigrun@example.com")

    answer = await _reset_professional(api, token, recovery_key)
    assert answer["userErrors"] == []
    assert (answer["passwordChanged"], answer["notesKept"], answer["noteRecoveryKey"]) == (
        True, True, None)
    assert "safe" in answer["notesMessage"]
    signed_in = await login(api, "sigrun@example.com", NEW_PASSWORD)
    assert await open_as(settings, signed_in["token"], sealed, ids) == SAMPLE


async def test_professional_reset_without_the_recovery_key_says_old_notes_are_lost(
        api, mailbox, settings):
    _, old_recovery_key = await register_professional(api, "sigrun@example.com")
    sealed, ids = await seal_sample("sigrun@example.com")
    token = await _reset_link(api, mailbox, "sigrun@example.com")

    answer = await _reset_professional(api, token)
    assert answer["userErrors"] == []
    assert answer["notesKept"] is False
    assert "locked" in answer["notesMessage"]
    assert answer["noteRecoveryKey"]
    assert answer["noteRecoveryKey"] != old_recovery_key
    signed_in = await login(api, "sigrun@example.com", NEW_PASSWORD)
    with pytest.raises(NoteError):
        await open_as(settings, signed_in["token"], sealed, ids)
    new_sealed, new_ids = await seal_sample("sigrun@example.com")
    assert await open_as(settings, signed_in["token"], new_sealed, new_ids) == SAMPLE


async def test_a_wrong_recovery_key_does_not_use_up_the_link(api, mailbox):
    await register_professional(api, "sigrun@example.com")
    other_key = (await register_professional(api, "helga@example.com"))[1]
    token = await _reset_link(api, mailbox, "sigrun@example.com")

    answer = await _reset_professional(api, token, other_key)
    assert answer["passwordChanged"] is False
    assert [e["field"] for e in answer["userErrors"]] == ["noteRecoveryKey"]
    assert (await login(api, "sigrun@example.com"))["token"]
    assert (await _reset_professional(api, token))["passwordChanged"] is True
