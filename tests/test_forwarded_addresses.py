"""Behind a reverse proxy every request arrives from the proxy: the address that rate limits
and the audit log record must be the one the proxy forwards, and only a trusted proxy's."""

from __future__ import annotations

import httpx
import pytest

import settings as settings_module
from app import create_app
from models.audit import AuditEntry
from settings import Settings, SettingsError
from tests.conftest import TEST_ENV
from tests.helpers import LOGIN

PROXY = "10.0.0.5"
VISITOR = "203.0.113.7"


async def _failed_login_address(settings: Settings, *, peer: str,
                                forwarded_for: str | None) -> str:
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False),
                                    client=(peer, 40000))
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        response = await http.post("/graphql", headers=headers, json={
            "query": LOGIN, "variables": {"input": {"email": "nobody@example.com",
                                                    "password": "wrong password here"}}})
    assert response.json()["data"]["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    entry = await AuditEntry.get(action="login_failed")
    return entry.address


def _trusting(settings: Settings, proxies: str) -> Settings:
    return settings.with_changes(trusted_proxies=settings_module.from_env(
        {**TEST_ENV, "TRUSTED_PROXIES": proxies}).trusted_proxies)


async def test_a_trusted_proxys_forwarded_address_is_recorded(settings):
    trusting = _trusting(settings, "10.0.0.0/8, 127.0.0.1")
    assert await _failed_login_address(trusting, peer=PROXY,
                                       forwarded_for=f"198.51.100.1, {VISITOR}") == VISITOR


async def test_an_untrusted_peer_cannot_choose_its_address(settings):
    """By default only loopback is trusted: a proxy elsewhere must be configured first."""
    assert await _failed_login_address(settings, peer=PROXY, forwarded_for=VISITOR) == PROXY


async def test_a_forwarded_address_from_outside_the_trusted_networks_is_ignored(settings):
    trusting = _trusting(settings, "10.1.0.0/16")
    assert await _failed_login_address(trusting, peer=PROXY, forwarded_for=VISITOR) == PROXY


async def test_loopback_is_no_longer_trusted_when_the_setting_leaves_it_out(settings):
    trusting = _trusting(settings, "10.0.0.0/8")
    assert await _failed_login_address(trusting, peer="127.0.0.1",
                                       forwarded_for=VISITOR) == "127.0.0.1"


async def test_a_request_without_forwarding_keeps_its_own_address(settings):
    trusting = _trusting(settings, "10.0.0.0/8")
    assert await _failed_login_address(trusting, peer=PROXY, forwarded_for=None) == PROXY


def test_a_mistyped_trusted_proxy_refuses_to_start():
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        settings_module.from_env({**TEST_ENV, "TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"})
