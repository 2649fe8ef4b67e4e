"""TURN credentials in the TURN REST scheme coturn's `use-auth-secret` checks, verified here
by an implementation of the scheme written in the test, and the settings that configure them."""

from __future__ import annotations

import base64
import hmac
from datetime import UTC, datetime

import pytest

import settings as settings_module
from gateways.events import Events
from models.live import CallParticipant
from settings import SettingsError
from tests.api_client import Api
from tests.conftest import TEST_ENV
from tests.live_steps import join, live_session

SECRET = "coturn-static-auth-secret"
TURN = ("turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp")
STUN = "stun:127.0.0.1:3478"


def coturn_password(secret: str, username: str) -> str:
    """What coturn computes for a REST username: base64 of HMAC-SHA1 under the secret."""
    return base64.b64encode(hmac.digest(secret.encode(), username.encode(), "sha1")).decode()


@pytest.fixture
def turn_settings(settings):
    return settings.with_changes(turn_urls=TURN, turn_secret=SECRET, stun_urls=(STUN,),
                                 turn_credential_seconds=600)


async def test_turn_credentials_verify_and_carry_the_configured_expiry(api, turn_settings):
    http = Api(turn_settings, Events())
    live = await live_session(api)
    before = int(datetime.now(UTC).timestamp())
    call = (await join(http, live.client_token, live.session_id))["call"]
    after = int(datetime.now(UTC).timestamp())
    await http.aclose()

    stun, turn = call["iceServers"]
    assert stun == {"urls": [STUN], "username": None, "credential": None}
    assert turn["urls"] == list(TURN)
    expiry, participant = turn["username"].split(":")
    assert before + 600 <= int(expiry) <= after + 600
    assert turn["credential"] == coturn_password(SECRET, turn["username"])
    assert turn["credential"] != coturn_password("another secret", turn["username"])
    # The id in the username is opaque: neither the person's nor the session's.
    row = await CallParticipant.get(session_id=live.session.id)
    assert participant == row.id.hex
    assert participant not in {live.session.id.hex, live.session.client_id.hex}


async def test_without_turn_urls_the_call_has_only_stun(api, settings):
    http = Api(settings.with_changes(stun_urls=(STUN,)), Events())
    live = await live_session(api)
    call = (await join(http, live.client_token, live.session_id))["call"]
    await http.aclose()
    assert call["iceServers"] == [{"urls": [STUN], "username": None, "credential": None}]


def test_turn_settings_are_read_from_the_environment():
    read = settings_module.from_env({
        **TEST_ENV, "TURN_URLS": ",".join(TURN), "TURN_SECRET": SECRET, "STUN_URLS": "",
        "TURN_CREDENTIAL_SECONDS": "5", "SIGNAL_MAX_BYTES": "2048",
        "SIGNAL_RATE_PER_MINUTE": "60",
    })
    assert read.turn_urls == TURN
    assert read.stun_urls == ()
    assert (read.turn_credential_seconds, read.signal_max_bytes,
            read.signal_rate_per_minute) == (5, 2048, 60)


def test_turn_urls_without_a_secret_are_refused():
    with pytest.raises(SettingsError, match="TURN_SECRET"):
        settings_module.from_env({**TEST_ENV, "TURN_URLS": TURN[0]})
