"""Sign-in with a national eID against a real OpenID provider (oidc-provider, started locally
by tests/oidc_provider.py): registration, sign-in, linking, and every way a round trip can go
wrong ending in a clear userError and no login session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from models.accounts import Account, ExternalIdentity, LoginSession
from resolvers.accounts import consents
from settings import OidcProvider, Settings
from tests.api_client import Api
from tests.helpers import CURRENT_TERMS, PASSWORD, emailed_token, login, register
from tests.mailbox import free_port
from tests.note_steps import PROFILE, notes_page, practice_with_client
from tests.notes_support import raw_rows
from tests.oidc_provider import PEOPLE, REDIRECT_URI, LocalProvider, running_provider

PROVIDERS = "{ externalSignInProviders { enabled providers { id name } redirectUris } }"
START = """mutation($input: StartExternalSignInInput!) {
  startExternalSignIn(input: $input) { authorizationUrl userErrors { field message code } }
}"""
COMPLETE = """mutation($input: CompleteExternalSignInInput!) {
  completeExternalSignIn(input: $input) {
    token viewer { email name } registration registrationName
    userErrors { field message code }
  }
}"""
REGISTER = """mutation($input: RegisterWithExternalIdentityInput!) {
  registerWithExternalIdentity(input: $input) { accepted userErrors { field message code } }
}"""
CONFIRM = """mutation($input: ConfirmEmailInput!) {
  confirmEmail(input: $input) { emailConfirmed userErrors { code } }
}"""
LINK = """mutation($input: LinkExternalIdentityInput!) {
  linkExternalIdentity(input: $input) {
    externalIdentity { provider providerName }
    userErrors { field message code }
  }
}"""
UNLINK = """mutation($input: UnlinkExternalIdentityInput!) {
  unlinkExternalIdentity(input: $input) { unlinked userErrors { field message code } }
}"""
LINKED = "{ linkedExternalIdentities { provider providerName lastUsedAt } }"


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def eid_provider(provider: LocalProvider) -> Iterator[LocalProvider]:
    provider.switch("reset")
    yield provider
    provider.switch("reset")


def eid_settings(settings: Settings, *providers: OidcProvider, **changes: Any) -> Settings:
    return settings.with_changes(oidc_providers=providers, oidc_redirect_uris=(REDIRECT_URI,),
                                 **changes)


@pytest.fixture
async def eid_api(settings: Settings, eid_provider: LocalProvider) -> AsyncIterator[Api]:
    async with Api(eid_settings(settings, eid_provider.settings())) as client:
        yield client


async def start(api: Api, token: str | None = None, **changes: str) -> dict[str, Any]:
    return (await api.data(START, {"input": {"provider": "island",
                                                "redirectUri": REDIRECT_URI, **changes}},
                              token=token))["startExternalSignIn"]


async def round_trip(api: Api, provider: LocalProvider, person: str = "jon",
                     token: str | None = None) -> dict[str, str]:
    """Start, then log in and consent at the provider: what it sends the SPA back with."""
    started = await start(api, token)
    assert started["userErrors"] == [], started
    return await provider.sign_in(started["authorizationUrl"], person)


async def complete(api: Api, returned: dict[str, str]) -> dict[str, Any]:
    fields = {k: returned[k] for k in ("code", "state", "error") if k in returned}
    return (await api.data(COMPLETE, {"input": fields}))["completeExternalSignIn"]


async def registered_with_eid(api: Api, provider: LocalProvider, email: str,
                              person: str = "jon") -> dict[str, Any]:
    """Register with an eID, confirm the address, sign in with the eID again."""
    first = await complete(api, await round_trip(api, provider, person))
    assert first["token"] is None
    assert first["registrationName"] == PEOPLE[person][0]
    accepted = (await api.data(REGISTER, {"input": {
        "registration": first["registration"], "email": email,
        "timeZone": "Atlantic/Reykjavik", **CURRENT_TERMS}}))["registerWithExternalIdentity"]
    assert accepted == {"accepted": True, "userErrors": []}
    account = await Account.get(email=email)
    assert await consents.consent_required(api.settings, account) is False
    link = await emailed_token(api.settings, email, "confirm_email")
    confirmed = (await api.data(CONFIRM, {"input": {"token": link}}))["confirmEmail"]
    assert confirmed["emailConfirmed"] is True
    return await complete(api, await round_trip(api, provider, person))


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_without_providers_the_feature_is_off_and_says_so(api: Api) -> None:
    shown = (await api.data(PROVIDERS))["externalSignInProviders"]
    assert shown == {"enabled": False, "providers": [], "redirectUris": []}
    refused = await start(api)
    assert refused["authorizationUrl"] is None
    assert codes(refused) == ["NOT_ENABLED"]


async def test_providers_are_listed(eid_api: Api) -> None:
    shown = (await eid_api.data(PROVIDERS))["externalSignInProviders"]
    assert shown == {"enabled": True, "providers": [{"id": "island", "name": "Ísland.is (test)"}],
                     "redirectUris": [REDIRECT_URI]}


async def test_registration_then_sign_in_with_the_eid(eid_api: Api,
                                                      eid_provider: LocalProvider) -> None:
    signed_in = await registered_with_eid(eid_api, eid_provider, "jon@example.com")
    assert signed_in["userErrors"] == []
    assert signed_in["viewer"] == {"email": "jon@example.com", "name": "Jón Jónsson"}
    session = await LoginSession.get()
    assert session.strength == "eid"
    linked = (await eid_api.data(LINKED, token=signed_in["token"]))["linkedExternalIdentities"]
    assert [(row["provider"], row["lastUsedAt"] is not None) for row in linked] == [
        ("island", True)]
    national_id = PEOPLE["jon"][1]
    assert not [cell for cell in await raw_rows() if national_id in repr(cell[2])]


async def test_the_only_eid_of_an_account_without_password_stays(eid_api: Api,
                                                                  eid_provider: LocalProvider
                                                                  ) -> None:
    signed_in = await registered_with_eid(eid_api, eid_provider, "jon@example.com")
    refused = (await eid_api.data(UNLINK, {"input": {"provider": "island"}},
                                  token=signed_in["token"]))["unlinkExternalIdentity"]
    assert codes(refused) == ["NOT_ALLOWED"]
    assert await ExternalIdentity.all().count() == 1


async def test_link_to_a_password_account_then_sign_in_with_it_and_unlink(
        eid_api: Api, eid_provider: LocalProvider) -> None:
    token = await register(eid_api, "gudrun@example.com", name="Guðrún Helgadóttir")
    returned = await round_trip(eid_api, eid_provider, "gudrun", token=token)
    linked = (await eid_api.data(LINK, {"input": {
        "code": returned["code"], "state": returned["state"],
        "identity": {"password": PASSWORD},
    }}, token=token))["linkExternalIdentity"]
    assert linked == {"externalIdentity": {"provider": "island",
                                           "providerName": "Ísland.is (test)"},
                      "userErrors": []}
    signed_in = await complete(eid_api, await round_trip(eid_api, eid_provider, "gudrun"))
    assert signed_in["viewer"]["email"] == "gudrun@example.com"
    unlinked = (await eid_api.data(UNLINK, {"input": {"provider": "island"}},
                                   token=token))["unlinkExternalIdentity"]
    assert unlinked == {"unlinked": True, "userErrors": []}
    again = await complete(eid_api, await round_trip(eid_api, eid_provider, "gudrun"))
    assert again["token"] is None
    assert again["registration"]


async def test_link_needs_the_password_again(eid_api: Api, eid_provider: LocalProvider) -> None:
    token = await register(eid_api, "gudrun@example.com", name="Guðrún Helgadóttir")
    returned = await round_trip(eid_api, eid_provider, "gudrun", token=token)
    refused = (await eid_api.data(LINK, {"input": {
        "code": returned["code"], "state": returned["state"],
        "identity": {"password": "not the password"}}}, token=token))["linkExternalIdentity"]
    assert codes(refused) == ["INVALID_CREDENTIALS"]
    assert await ExternalIdentity.all().count() == 0


async def assert_refused(payload: dict[str, Any], code: str) -> None:
    assert payload["token"] is None
    assert payload["registration"] is None
    assert codes(payload) == [code], payload
    assert await LoginSession.all().count() == 0


async def test_a_wrong_state_is_refused(eid_api: Api, eid_provider: LocalProvider) -> None:
    returned = await round_trip(eid_api, eid_provider)
    await assert_refused(await complete(eid_api, {**returned, "state": "x" * 43}),
                         "INVALID_TOKEN")


async def test_a_replayed_state_is_refused(eid_api: Api, eid_provider: LocalProvider) -> None:
    returned = await round_trip(eid_api, eid_provider)
    first = await complete(eid_api, returned)
    assert first["registration"]
    await assert_refused(await complete(eid_api, returned), "INVALID_TOKEN")


async def test_a_replayed_code_is_refused(eid_api: Api, eid_provider: LocalProvider) -> None:
    used = await round_trip(eid_api, eid_provider)
    assert (await complete(eid_api, used))["registration"]
    fresh = await start(eid_api)
    state = parse_qs(urlsplit(fresh["authorizationUrl"]).query)["state"][0]
    await assert_refused(await complete(eid_api, {"code": used["code"], "state": state}),
                         "EXTERNAL_SIGN_IN_FAILED")


async def test_a_nonce_mismatch_is_refused(eid_api: Api, eid_provider: LocalProvider) -> None:
    eid_provider.switch("nonce/tampered")
    await assert_refused(await complete(eid_api, await round_trip(eid_api, eid_provider)),
                         "EXTERNAL_SIGN_IN_FAILED")


async def test_an_id_token_signed_by_another_key_is_refused(eid_api: Api,
                                                            eid_provider: LocalProvider) -> None:
    eid_provider.switch("foreign-signer")
    await assert_refused(await complete(eid_api, await round_trip(eid_api, eid_provider)),
                         "EXTERNAL_SIGN_IN_FAILED")


async def test_an_expired_id_token_is_refused(eid_api: Api, eid_provider: LocalProvider) -> None:
    returned = await round_trip(eid_api, eid_provider)
    eid_provider.switch("clock/-7200")
    await assert_refused(await complete(eid_api, returned), "EXTERNAL_SIGN_IN_FAILED")


async def test_refused_consent_is_a_clear_error(eid_api: Api, eid_provider: LocalProvider
                                                ) -> None:
    started = await start(eid_api)
    returned = await eid_provider.sign_in(started["authorizationUrl"], consent=False)
    assert returned["error"] == "access_denied"
    await assert_refused(await complete(eid_api, returned), "EXTERNAL_SIGN_IN_FAILED")


async def test_a_redirect_uri_not_listed_is_refused(eid_api: Api) -> None:
    refused = await start(eid_api, redirectUri="https://evil.example/return")
    assert refused["authorizationUrl"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        ("redirectUri", "INVALID_INPUT")]


async def test_a_provider_that_is_down_is_a_clear_error(settings: Settings,
                                                        eid_provider: LocalProvider) -> None:
    down = LocalProvider(issuer=f"http://127.0.0.1:{free_port()}")
    async with Api(eid_settings(settings, down.settings())) as api:
        refused = await start(api)
    assert refused["authorizationUrl"] is None
    assert codes(refused) == ["PROVIDER_UNAVAILABLE"]


async def test_rotated_keys_are_fetched_again(settings: Settings) -> None:
    with running_provider() as provider:
        async with Api(eid_settings(settings, provider.settings())) as api:
            assert (await complete(api, await round_trip(api, provider)))["registration"]
            provider.switch("rotate-keys")
            assert (await complete(api, await round_trip(api, provider)))["registration"]


async def test_strong_authentication_for_professionals(settings: Settings,
                                                       eid_provider: LocalProvider) -> None:
    strict = eid_settings(settings, eid_provider.settings(),
                          require_strong_auth_for_professionals=True)
    async with Api(strict) as api:
        practice = await practice_with_client(api)
        body = await api(PROFILE, {"id": practice.client_id}, token=practice.token)
        assert body["errors"][0]["extensions"]["code"] == "STRONG_AUTHENTICATION_REQUIRED"
        with pytest.raises(AssertionError, match="STRONG_AUTHENTICATION_REQUIRED"):
            await notes_page(api, practice.token, practice.client_id, first=5)
        returned = await round_trip(api, eid_provider, "gudrun", token=practice.token)
        linked = (await api.data(LINK, {"input": {
            "code": returned["code"], "state": returned["state"],
            "identity": {"password": PASSWORD}}}, token=practice.token))["linkExternalIdentity"]
        assert linked["userErrors"] == []
        strong = await complete(api, await round_trip(api, eid_provider, "gudrun"))
        profile = (await api.data(PROFILE, {"id": practice.client_id}, token=strong["token"]))
        assert profile["clientProfile"]["email"] == practice.client_email
        password_only = await login(api, practice.email)
        assert "errors" in await api(PROFILE, {"id": practice.client_id},
                                     token=password_only["token"])


def test_providers_come_from_one_json_setting() -> None:
    import settings as settings_module
    env = {"ENVIRONMENT": "test", "OIDC_REDIRECT_URIS": REDIRECT_URI, "OIDC_PROVIDERS": (
        '[{"id": "island", "name": "Ísland.is", "issuer": "https://innskra.island.is/",'
        ' "clientId": "hub", "clientSecret": "s3cret"}]')}
    loaded = settings_module.from_env(env)
    assert loaded.oidc_provider("island") == OidcProvider(
        id="island", name="Ísland.is", issuer="https://innskra.island.is", client_id="hub",
        client_secret="s3cret")
    assert "s3cret" not in repr(loaded)
    for broken, says in (("not json", "not valid JSON"), ('[{"id": "x"}]', "missing keys"),
                         ('{"id": "x"}', "not a list")):
        with pytest.raises(settings_module.SettingsError, match=says):
            settings_module.from_env({**env, "OIDC_PROVIDERS": broken})
    with pytest.raises(settings_module.SettingsError, match="OIDC_REDIRECT_URIS"):
        settings_module.from_env({**env, "OIDC_REDIRECT_URIS": ""})
