"""Rate limits on the mutations that send email: requestService, inviteClient and
resendInvitation, per account and per client address, with a message that says when to retry."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from models.rate_limits import RateLimitEvent
from settings import Settings
from tests.conftest import Api
from tests.practice_steps import (
    INVITE,
    RESEND,
    client,
    codes,
    create_service,
    invite,
    professional,
    request,
)

_TRY_AGAIN = re.compile(r"Try again in (\d+) minutes?\.$")


def _minutes_to_wait(payload: dict) -> int:
    """The wait the message names, in whole minutes (the window is an hour in these tests)."""
    [error] = payload["userErrors"]
    assert error["code"] == "RATE_LIMITED"
    found = _TRY_AGAIN.search(error["message"])
    assert found, error["message"]
    minutes = int(found.group(1))
    assert 1 <= minutes <= 60
    return minutes


async def _invite(api: Api, token: str, service_id: str, email: str) -> dict:
    return (await api.data(INVITE, {"input": {
        "serviceId": service_id, "email": email, "name": "Someone",
    }}, token=token))["inviteClient"]


async def test_requests_for_services_are_limited_per_account(api, settings):
    sigrun = await professional(api)
    services = [await create_service(api, sigrun, title=f"Counselling {n}") for n in range(6)]
    anna = await client(api)
    limit = settings.request_service_max_per_account
    assert limit == 5  # the documented default
    for service in services[:limit]:
        assert (await request(api, anna, service))["userErrors"] == []

    refused = await request(api, anna, services[limit])
    assert refused["engagement"] is None
    assert _minutes_to_wait(refused)

    # Another account is not held by Anna's limit.
    bjorn = await client(api, "bjorn@example.com", "Björn")
    assert (await request(api, bjorn, services[limit]))["userErrors"] == []


async def test_the_window_passing_lets_requests_through_again(api, settings):
    sigrun = await professional(api)
    services = [await create_service(api, sigrun, title=f"Counselling {n}") for n in range(6)]
    anna = await client(api)
    for service in services[:5]:
        await request(api, anna, service)
    await RateLimitEvent.all().update(at=datetime.now(UTC) - timedelta(minutes=61))
    assert (await request(api, anna, services[5]))["userErrors"] == []


@pytest.fixture
async def small_limits_api(settings: Settings) -> AsyncIterator[Api]:
    async with Api(settings.with_changes(request_service_max_per_address=3,
                                         invitation_max_per_account=3,
                                         invitation_max_per_address=4)) as client_api:
        yield client_api


async def test_requests_for_services_are_limited_per_address(small_limits_api):
    api = small_limits_api
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    for n in range(3):
        someone = await client(api, f"person{n}@example.com", f"Person {n}")
        assert (await request(api, someone, service))["userErrors"] == []
    fourth = await client(api, "person3@example.com", "Person 3")
    assert _minutes_to_wait(await request(api, fourth, service))


async def test_invitations_and_resends_share_one_limit_per_professional(small_limits_api):
    api = small_limits_api
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    first = await invite(api, sigrun, service["id"], "one@example.com")
    await invite(api, sigrun, service["id"], "two@example.com")
    resent = (await api.data(RESEND, {"input": {"invitationId": first["id"]}},
                             token=sigrun))["resendInvitation"]
    assert resent["userErrors"] == []

    again = (await api.data(RESEND, {"input": {"invitationId": first["id"]}},
                            token=sigrun))["resendInvitation"]
    assert again["invitation"] is None
    assert _minutes_to_wait(again)
    assert codes(await _invite(api, sigrun, service["id"], "three@example.com")) == [
        "RATE_LIMITED"]


async def test_invitations_are_limited_per_address(small_limits_api):
    api = small_limits_api
    sigrun = await professional(api)
    helga = await professional(api, "helga@example.com", "Helga")
    ours = await create_service(api, sigrun)
    hers = await create_service(api, helga)
    for n in range(3):
        await invite(api, sigrun, ours["id"], f"a{n}@example.com")
    await invite(api, helga, hers["id"], "b0@example.com")
    assert codes(await _invite(api, helga, hers["id"], "b1@example.com")) == ["RATE_LIMITED"]


def test_a_window_longer_than_a_day_is_refused_at_start():
    from settings import SettingsError, from_env
    from tests.conftest import TEST_ENV

    with pytest.raises(SettingsError, match="EMAILING_WINDOW_MINUTES must be between 1 and 1440"):
        from_env({**TEST_ENV, "EMAILING_WINDOW_MINUTES": "2000"})
