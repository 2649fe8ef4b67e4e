"""Known devices: a stranger's wrong passwords lock out unknown devices, never the owner's
browser that signed in before (OWASP device cookies, with the token in the login payload)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from app import create_app
from settings import Settings
from tests.helpers import PASSWORD, register
from tests.test_second_factor import enrol

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token deviceToken userErrors { message code } }
}"""


class Browser:
    """One browser at one client address, calling /graphql as the SPA does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def mutate(self, query: str, **input: Any) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query,
                                                          "variables": {"input": input}})
        assert response.status_code == 200
        body = response.json()
        assert "errors" not in body, body
        [payload] = body["data"].values()
        return payload

    async def login(self, email: str, password: str = PASSWORD,
                    device_token: str | None = None) -> dict[str, Any]:
        return await self.mutate(LOGIN, email=email, password=password,
                                 deviceToken=device_token)


@asynccontextmanager
async def browser_at(settings: Settings, address: str) -> AsyncIterator[Browser]:
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False),
                                    client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield Browser(http)


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def _fifty_wrong_attempts(settings: Settings, email: str) -> None:
    for n in range(50):
        async with browser_at(settings, f"203.0.113.{n % 5 + 1}") as stranger:
            answer = await stranger.login(email, "guessing wrong!")
            assert _codes(answer) in (["INVALID_CREDENTIALS"], ["RATE_LIMITED"])


async def test_the_owner_on_a_known_device_signs_in_after_fifty_wrong_attempts(api, settings):
    await register(api, "anna@example.com")
    async with browser_at(settings, "198.51.100.7") as owner:
        first = await owner.login("anna@example.com")
        assert first["token"]
        assert first["deviceToken"]

        await _fifty_wrong_attempts(settings, "anna@example.com")

        again = await owner.login("anna@example.com", device_token=first["deviceToken"])
        assert again["userErrors"] == []
        assert again["token"]
        assert again["deviceToken"] not in (None, first["deviceToken"])
        later = await owner.login("anna@example.com", device_token=again["deviceToken"])
        assert later["token"]


async def test_an_unknown_device_is_still_throttled(api, settings):
    await register(api, "anna@example.com")
    await _fifty_wrong_attempts(settings, "anna@example.com")
    async with browser_at(settings, "198.51.100.7") as new_browser:
        refused = await new_browser.login("anna@example.com")
    assert refused["token"] is None
    assert _codes(refused) == ["RATE_LIMITED"]
    assert "Wait 15 minutes" in refused["userErrors"][0]["message"]


async def test_a_device_token_of_another_account_gives_no_exemption(api, settings):
    await register(api, "anna@example.com")
    await register(api, "mallory@example.com")
    async with browser_at(settings, "198.51.100.66") as mallory:
        own = (await mallory.login("mallory@example.com"))["deviceToken"]
        for _ in range(5):
            await mallory.login("anna@example.com", "guessing wrong!", device_token=own)
        refused = await mallory.login("anna@example.com", device_token=own)
    assert refused["token"] is None
    assert _codes(refused) == ["RATE_LIMITED"]


async def test_a_known_device_has_its_own_small_budget_of_wrong_passwords(api, settings):
    await register(api, "anna@example.com")
    async with browser_at(settings, "198.51.100.7") as thief:
        stolen = (await thief.login("anna@example.com"))["deviceToken"]
        await _fifty_wrong_attempts(settings, "anna@example.com")
        for _ in range(settings.login_device_max_failures):
            wrong = await thief.login("anna@example.com", "guessing wrong!", device_token=stolen)
            assert _codes(wrong) == ["INVALID_CREDENTIALS"]
        # The budget is spent: the token counts no more, and the account's lockout applies.
        refused = await thief.login("anna@example.com", device_token=stolen)
    assert refused["token"] is None
    assert _codes(refused) == ["RATE_LIMITED"]


async def test_a_replaced_device_token_no_longer_exempts(api, settings):
    await register(api, "anna@example.com")
    async with browser_at(settings, "198.51.100.7") as owner:
        old = (await owner.login("anna@example.com"))["deviceToken"]
        assert (await owner.login("anna@example.com", device_token=old))["token"]
        await _fifty_wrong_attempts(settings, "anna@example.com")
        refused = await owner.login("anna@example.com", device_token=old)
    assert _codes(refused) == ["RATE_LIMITED"]


async def test_with_a_second_factor_the_device_token_comes_with_the_finished_sign_in(
        api, settings):
    token = await register(api, "anna@example.com")
    _, recovery_codes = await enrol(api, token)
    async with browser_at(settings, "198.51.100.7") as owner:
        challenge = await owner.mutate(LOGIN_2FA, email="anna@example.com", password=PASSWORD)
        assert challenge["deviceToken"] is None  # not signed in yet
        verified = await owner.mutate(VERIFY, challenge=challenge["challenge"],
                                      recoveryCode=recovery_codes[0])
        assert verified["token"]
        assert verified["deviceToken"]

        await _fifty_wrong_attempts(settings, "anna@example.com")
        known = await owner.mutate(LOGIN_2FA, email="anna@example.com", password=PASSWORD,
                                   deviceToken=verified["deviceToken"])
    assert known["userErrors"] == []
    assert known["secondFactorRequired"] is True


LOGIN_2FA = """
mutation Login($input: LoginInput!) {
  login(input: $input) { secondFactorRequired challenge deviceToken userErrors { code } }
}"""
VERIFY = """
mutation($input: VerifySecondFactorInput!) {
  verifySecondFactor(input: $input) { token deviceToken userErrors { code } }
}"""
