"""Two-step sign-in with an authenticator app (TOTP) and recovery codes."""

from __future__ import annotations

import asyncio
import time

import pyotp

from tests.helpers import PASSWORD, VIEWER, login, register

START = """
mutation($input: PasswordConfirmationInput!) {
  startTotpEnrolment(input: $input) { secret otpauthUri userErrors { code field } }
}"""
CONFIRM = """
mutation($input: ConfirmTotpEnrolmentInput!) {
  confirmTotpEnrolment(input: $input) {
    recoveryCodes viewer { secondFactorEnabled } userErrors { code field message }
  }
}"""
VERIFY = """
mutation($input: VerifySecondFactorInput!) {
  verifySecondFactor(input: $input) {
    token viewer { email } userErrors { code field message }
  }
}"""
DISABLE = """
mutation($input: PasswordConfirmationInput!) {
  disableTotp(input: $input) { viewer { secondFactorEnabled } userErrors { code } }
}"""


async def enrol(api, token: str) -> tuple[str, list[str]]:
    started = (await api.data(START, {"input": {"password": PASSWORD}}, token=token))
    secret = started["startTotpEnrolment"]["secret"]
    assert started["startTotpEnrolment"]["otpauthUri"].startswith("otpauth://totp/")
    confirmed = await api.data(CONFIRM, {"input": {"code": pyotp.TOTP(secret).now()}},
                               token=token)
    payload = confirmed["confirmTotpEnrolment"]
    assert payload["userErrors"] == []
    assert payload["viewer"]["secondFactorEnabled"] is True
    return secret, payload["recoveryCodes"]


def next_code(secret: str) -> str:
    """The code of the next 30-second step: enrolment just used the current one."""
    return pyotp.TOTP(secret).at(time.time() + 30)


async def test_enrolment_returns_ten_distinct_recovery_codes(api):
    token = await register(api, "anna@example.com")
    _, codes = await enrol(api, token)
    assert len(set(codes)) == 10


async def test_enrolment_needs_the_password_and_a_valid_code(api):
    token = await register(api, "anna@example.com")
    refused = await api.data(START, {"input": {"password": "wrong password"}}, token=token)
    assert refused["startTotpEnrolment"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"

    await api.data(START, {"input": {"password": PASSWORD}}, token=token)
    wrong = await api.data(CONFIRM, {"input": {"code": "000000"}}, token=token)
    assert wrong["confirmTotpEnrolment"]["userErrors"][0]["code"] == "INVALID_CODE"
    assert (await api.data(VIEWER, token=token))["viewer"]["secondFactorEnabled"] is False


async def test_login_with_second_factor(api):
    token = await register(api, "anna@example.com")
    secret, _ = await enrol(api, token)

    first_step = await login(api, "anna@example.com")
    assert first_step["secondFactorRequired"] is True
    assert first_step["token"] is None
    assert first_step["viewer"] is None

    done = await api.data(VERIFY, {"input": {"challenge": first_step["challenge"],
                                             "code": next_code(secret)}})
    assert done["verifySecondFactor"]["userErrors"] == []
    new_token = done["verifySecondFactor"]["token"]
    assert (await api.data(VIEWER, token=new_token))["viewer"]["email"] == "anna@example.com"


async def test_a_used_code_is_refused_the_second_time(api):
    token = await register(api, "anna@example.com")
    secret, _ = await enrol(api, token)
    code = next_code(secret)
    first = await login(api, "anna@example.com")
    await api.data(VERIFY, {"input": {"challenge": first["challenge"], "code": code}})

    second = await login(api, "anna@example.com")
    replay = await api.data(VERIFY, {"input": {"challenge": second["challenge"], "code": code}})
    assert replay["verifySecondFactor"]["token"] is None
    assert replay["verifySecondFactor"]["userErrors"][0]["code"] == "INVALID_CODE"


async def test_two_concurrent_uses_of_one_code_sign_in_once(api):
    token = await register(api, "anna@example.com")
    secret, _ = await enrol(api, token)
    code = next_code(secret)
    challenges = [(await login(api, "anna@example.com"))["challenge"] for _ in range(2)]
    results = await asyncio.gather(*(
        api.data(VERIFY, {"input": {"challenge": c, "code": code}}) for c in challenges
    ))
    tokens = [r["verifySecondFactor"]["token"] for r in results]
    assert sum(t is not None for t in tokens) == 1


async def test_a_recovery_code_works_once(api):
    token = await register(api, "anna@example.com")
    _, codes = await enrol(api, token)

    first = await login(api, "anna@example.com")
    used = await api.data(VERIFY, {"input": {"challenge": first["challenge"],
                                             "recoveryCode": codes[3].upper()}})
    assert used["verifySecondFactor"]["token"]

    second = await login(api, "anna@example.com")
    again = await api.data(VERIFY, {"input": {"challenge": second["challenge"],
                                              "recoveryCode": codes[3]}})
    assert again["verifySecondFactor"]["token"] is None
    assert again["verifySecondFactor"]["userErrors"][0]["field"] == "recoveryCode"


async def test_challenge_dies_after_five_wrong_codes(api):
    token = await register(api, "anna@example.com")
    secret, _ = await enrol(api, token)
    challenge = (await login(api, "anna@example.com"))["challenge"]
    messages = []
    for _ in range(5):
        wrong = await api.data(VERIFY, {"input": {"challenge": challenge, "code": "000000"}})
        messages.append(wrong["verifySecondFactor"]["userErrors"][0]["message"])
    assert messages[0] == "That code is not valid. 4 attempts left."
    assert messages[-1] == "Too many wrong codes. Sign in with your password again."

    right = await api.data(VERIFY, {"input": {"challenge": challenge,
                                              "code": next_code(secret)}})
    assert right["verifySecondFactor"]["token"] is None
    assert right["verifySecondFactor"]["userErrors"][0]["code"] == "CHALLENGE_EXPIRED"


async def test_forged_challenge_is_refused(api):
    body = await api.data(VERIFY, {"input": {"challenge": "x" * 43, "code": "123456"}})
    assert body["verifySecondFactor"]["userErrors"][0]["code"] == "CHALLENGE_EXPIRED"


async def test_disabling_needs_the_password_and_ends_the_second_step(api):
    token = await register(api, "anna@example.com")
    await enrol(api, token)
    refused = await api.data(DISABLE, {"input": {"password": "wrong one!"}}, token=token)
    assert refused["disableTotp"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    done = await api.data(DISABLE, {"input": {"password": PASSWORD}}, token=token)
    assert done["disableTotp"]["viewer"]["secondFactorEnabled"] is False
    assert (await login(api, "anna@example.com"))["token"]
