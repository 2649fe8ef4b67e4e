"""The professional's notes key through the API: made once, unlocked at every sign-in (with or
without a second factor), kept across a password change, dropped at logout, rotated."""

from __future__ import annotations

import time

import pyotp
import pytest

from crypto import recovery_keys
from crypto.notes import SealedForAnotherKeyError
from models.accounts import Account
from models.notes import ChallengeNoteKey, ProfessionalKeys, SessionNoteKey
from resolvers.accounts import note_keys, signin
from resolvers.core.caller import Caller
from resolvers.core.errors import PublicError
from tests.helpers import PASSWORD, login, register, register_and_sign_in
from tests.notes_support import (
    SAMPLE,
    caller_for,
    open_as,
    register_professional,
    seal_sample,
)

NEW_PASSWORD = "a brand new passphrase"
CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { userErrors { field message code } }
}"""
BECOME_PROFESSIONAL = """
mutation($input: PasswordConfirmationInput!) {
  becomeProfessional(input: $input) {
    viewer { roles } noteRecoveryKey userErrors { field message code }
  }
}"""
ROTATE = """
mutation($input: RotateNoteKeyInput!) {
  rotateNoteKey(input: $input) {
    noteRecoveryKey keyVersion notesResealed userErrors { field message code }
  }
}"""
LOGOUT = """
mutation($input: LogoutInput!) { logout(input: $input) { signedOut } }"""


async def _locked_reason(settings, token) -> str:
    with pytest.raises(PublicError) as raised:
        await note_keys.caller_note_key(await caller_for(settings, token))
    return raised.value.code.value


async def test_a_professionals_first_sign_in_returns_the_recovery_key_once(api, settings):
    token, recovery_key = await register_professional(api, "sigrun@example.com")
    client = await register_and_sign_in(api, "anna@example.com", name="Anna")
    again = await login(api, "sigrun@example.com")

    assert len(recovery_key.split("-")) == 14
    recovery_keys.parse_recovery_key(recovery_key)
    assert client["noteRecoveryKey"] is None
    assert again["noteRecoveryKey"] is None
    assert await ProfessionalKeys.all().count() == 1
    sealed, ids = await seal_sample("sigrun@example.com")
    assert await open_as(settings, token, sealed, ids) == SAMPLE


async def test_keys_unlock_after_login(api, settings):
    await register_professional(api, "sigrun@example.com")
    sealed, ids = await seal_sample("sigrun@example.com")

    signed_in = await login(api, "sigrun@example.com")

    assert await open_as(settings, signed_in["token"], sealed, ids) == SAMPLE
    assert await SessionNoteKey.all().count() == 2


async def test_keys_unlock_after_login_with_a_second_factor(api, settings):
    token, _ = await register_professional(api, "sigrun@example.com")
    sealed, ids = await seal_sample("sigrun@example.com")
    started = await api.data("""
      mutation($input: PasswordConfirmationInput!) {
        startTotpEnrolment(input: $input) { secret userErrors { code } }
      }""", {"input": {"password": PASSWORD}}, token=token)
    secret = started["startTotpEnrolment"]["secret"]
    confirmed = await api.data("""
      mutation($input: ConfirmTotpEnrolmentInput!) {
        confirmTotpEnrolment(input: $input) { userErrors { code } }
      }""", {"input": {"code": pyotp.TOTP(secret).now()}}, token=token)
    assert confirmed["confirmTotpEnrolment"]["userErrors"] == []

    first_step = await login(api, "sigrun@example.com")
    assert first_step["secondFactorRequired"] is True
    assert first_step["token"] is None
    assert await ChallengeNoteKey.all().count() == 1

    # Confirming enrolment used the current time step; the next step's code is the fresh one.
    verified = await api.data("""
      mutation($input: VerifySecondFactorInput!) {
        verifySecondFactor(input: $input) { token userErrors { code message } }
      }""", {"input": {"challenge": first_step["challenge"],
                       "code": pyotp.TOTP(secret).at(time.time() + 30)}})
    new_token = verified["verifySecondFactor"]["token"]

    assert verified["verifySecondFactor"]["userErrors"] == []
    assert await open_as(settings, new_token, sealed, ids) == SAMPLE
    assert await ChallengeNoteKey.all().count() == 0


async def test_a_client_becoming_a_professional_gets_keys_once_and_can_use_them_at_once(
    api, settings
):
    token = await register(api, "anna@example.com")
    assert await _locked_reason(settings, token) == "NOT_ALLOWED"

    first = (await api.data(BECOME_PROFESSIONAL, {"input": {"password": PASSWORD}},
                            token=token))["becomeProfessional"]
    public_key = (await ProfessionalKeys.get()).public_key
    again = (await api.data(BECOME_PROFESSIONAL, {"input": {"password": PASSWORD}},
                            token=token))["becomeProfessional"]

    assert first["viewer"]["roles"] == ["CLIENT", "PROFESSIONAL"]
    recovery_keys.parse_recovery_key(first["noteRecoveryKey"])
    assert again == {"viewer": {"roles": ["CLIENT", "PROFESSIONAL"]}, "noteRecoveryKey": None,
                     "userErrors": []}
    assert (await ProfessionalKeys.get()).public_key == public_key
    sealed, ids = await seal_sample("anna@example.com")
    assert await open_as(settings, token, sealed, ids) == SAMPLE


async def test_becoming_a_professional_with_a_wrong_password_makes_no_key(api):
    token = await register(api, "anna@example.com")
    data = await api.data(BECOME_PROFESSIONAL, {"input": {"password": "not my password"}},
                          token=token)
    assert data["becomeProfessional"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert data["becomeProfessional"]["noteRecoveryKey"] is None
    assert await ProfessionalKeys.all().count() == 0


async def test_password_change_keeps_the_key_and_locks_out_tokens_from_before(api, settings):
    this_device, _ = await register_professional(api, "sigrun@example.com")
    other_device = (await login(api, "sigrun@example.com"))["token"]
    sealed, ids = await seal_sample("sigrun@example.com")
    before = await ProfessionalKeys.get()

    data = await api.data(CHANGE_PASSWORD, {"input": {
        "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD,
    }}, token=this_device)
    assert data["changePassword"]["userErrors"] == []

    after = await ProfessionalKeys.get()
    assert after.public_key == before.public_key
    assert after.key_version == before.key_version
    assert after.password_salt != before.password_salt
    assert after.password_wrapped != before.password_wrapped
    assert await open_as(settings, this_device, sealed, ids) == SAMPLE
    assert await _locked_reason(settings, other_device) == "UNAUTHENTICATED"
    assert await SessionNoteKey.all().count() == 1
    fresh = await login(api, "sigrun@example.com", NEW_PASSWORD)
    assert await open_as(settings, fresh["token"], sealed, ids) == SAMPLE


async def test_a_wrong_current_password_changes_neither_password_nor_key(api):
    token, _ = await register_professional(api, "sigrun@example.com")
    before = await ProfessionalKeys.get()
    data = await api.data(CHANGE_PASSWORD, {"input": {
        "currentPassword": "not my password", "newPassword": NEW_PASSWORD,
    }}, token=token)
    assert data["changePassword"]["userErrors"][0]["field"] == "currentPassword"
    assert (await ProfessionalKeys.get()).password_wrapped == before.password_wrapped


async def test_logout_drops_the_sessions_key(api, settings):
    token, _ = await register_professional(api, "sigrun@example.com")
    other = (await login(api, "sigrun@example.com"))["token"]

    await api.data(LOGOUT, {"input": {}}, token=token)
    assert await SessionNoteKey.all().count() == 1
    await api.data(LOGOUT, {"input": {"allDevices": True}}, token=other)
    assert await SessionNoteKey.all().count() == 0
    assert await _locked_reason(settings, other) == "UNAUTHENTICATED"


async def test_rotation_makes_a_new_key_and_a_new_recovery_key(api, settings):
    token, old_recovery = await register_professional(api, "sigrun@example.com")
    other_device = (await login(api, "sigrun@example.com"))["token"]
    sealed_before, ids = await seal_sample("sigrun@example.com")
    before = await ProfessionalKeys.get()

    refused = (await api.data(ROTATE, {"input": {"password": "not my password"}},
                              token=token))["rotateNoteKey"]
    assert refused["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await ProfessionalKeys.get()).public_key == before.public_key

    rotated = (await api.data(ROTATE, {"input": {"password": PASSWORD}},
                              token=token))["rotateNoteKey"]
    assert rotated["userErrors"] == []
    assert rotated["keyVersion"] == 2
    assert rotated["notesResealed"] == 0
    assert rotated["noteRecoveryKey"] != old_recovery
    recovery_keys.parse_recovery_key(rotated["noteRecoveryKey"])

    after = await ProfessionalKeys.get()
    assert after.public_key != before.public_key
    assert after.recovery_wrapped != before.recovery_wrapped
    unlocked = await note_keys.caller_note_key(await caller_for(settings, token))
    assert (unlocked.version, unlocked.public_key) == (2, after.public_key)
    assert await _locked_reason(settings, other_device) == "NOTES_LOCKED"
    with pytest.raises(SealedForAnotherKeyError):
        await open_as(settings, token, sealed_before, ids)
    sealed_after, ids_after = await seal_sample("sigrun@example.com")
    relogin = (await login(api, "sigrun@example.com"))["token"]
    assert await open_as(settings, relogin, sealed_after, ids_after) == SAMPLE


async def test_rotation_sets_up_a_missing_key(api, settings):
    token, _ = await register_professional(api, "sigrun@example.com")
    await ProfessionalKeys.all().delete()
    assert await _locked_reason(settings, token) == "NOTES_LOCKED"

    rotated = (await api.data(ROTATE, {"input": {"password": PASSWORD}},
                              token=token))["rotateNoteKey"]

    assert rotated["keyVersion"] == 1
    sealed, ids = await seal_sample("sigrun@example.com")
    assert await open_as(settings, token, sealed, ids) == SAMPLE


async def test_rotation_needs_practitioner_mode(api):
    token = await register(api, "anna@example.com")
    body = await api(ROTATE, {"input": {"password": PASSWORD}}, token=token)
    assert body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"


async def test_a_clients_sign_in_holds_no_notes_key(api):
    await register(api, "anna@example.com")
    await login(api, "anna@example.com")
    assert await SessionNoteKey.all().count() == 0


async def test_stronger_argon2_settings_rewrap_the_key_at_the_next_sign_in(api, settings):
    await register_professional(api, "sigrun@example.com")
    sealed, ids = await seal_sample("sigrun@example.com")
    stronger = settings.with_changes(argon2_time_cost=2, argon2_memory_kib=128)

    signed_in = await signin.login(Caller(settings=stronger), email="sigrun@example.com",
                                   password=PASSWORD)

    stored = await ProfessionalKeys.get()
    assert (stored.kdf_ops_limit, stored.kdf_mem_limit) == (2, 128 * 1024)
    assert await open_as(stronger, signed_in.token, sealed, ids) == SAMPLE
    assert await note_keys.unlock_with_password(Caller(settings=stronger),
                                                await Account.get(), PASSWORD) is not None
