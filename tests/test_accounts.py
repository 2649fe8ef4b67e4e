"""Accounts and sign-in, through the GraphQL API as the SPA uses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.accounts import LoginSession
from models.rate_limits import RateLimitEvent
from tests.helpers import LOGIN, PASSWORD, REGISTER, VIEWER, login, register
from tests.sql_count import counting_statements

CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { viewer { email } userErrors { field message code } }
}"""
LOGOUT = """
mutation($input: LogoutInput!) {
  logout(input: $input) { signedOut userErrors { message code } }
}"""


async def test_register_then_login_then_viewer(api):
    await register(api, "  Anna@Example.COM ", roles=("CLIENT", "PROFESSIONAL"))

    signed_in = await login(api, "anna@example.com")
    assert signed_in["userErrors"] == []
    assert signed_in["secondFactorRequired"] is False

    viewer = (await api.data(VIEWER, token=signed_in["token"]))["viewer"]
    assert viewer["email"] == "anna@example.com"
    assert viewer["name"] == "Anna Jónsdóttir"
    assert viewer["roles"] == ["CLIENT", "PROFESSIONAL"]
    assert viewer["timeZone"] == "Atlantic/Reykjavik"
    assert viewer["secondFactorEnabled"] is False


async def test_signed_out_viewer_is_null(api):
    assert (await api.data(VIEWER))["viewer"] is None


async def test_registration_lists_every_bad_field(api):
    data = await api.data(REGISTER, {"input": {
        "email": "not-an-email", "password": "short", "name": " ", "timeZone": "Mars/Olympus",
        "roles": [], "acceptedTerms": "", "acceptedPrivacyNotice": "2019-01-01",
    }})
    errors = data["register"]["userErrors"]
    assert {e["field"] for e in errors} == {"email", "password", "name", "timeZone", "roles",
                                            "acceptedTerms", "acceptedPrivacyNotice"}
    assert data["register"]["accepted"] is False


async def test_wrong_password_and_unknown_email_answer_alike(api):
    await register(api, "anna@example.com")
    wrong_password = await login(api, "anna@example.com", "not the password")
    unknown_email = await login(api, "nobody@example.com", "not the password")
    assert wrong_password == unknown_email
    assert wrong_password["token"] is None
    assert wrong_password["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_sixth_rapid_attempt_is_refused_even_with_the_right_password(api):
    await register(api, "anna@example.com")
    for _ in range(5):
        failed = await login(api, "anna@example.com", "wrong password!")
        assert failed["userErrors"][0]["code"] == "INVALID_CREDENTIALS"

    locked = await login(api, "anna@example.com", PASSWORD)
    assert locked["token"] is None
    assert locked["userErrors"][0]["code"] == "RATE_LIMITED"
    assert "Wait 15 minutes" in locked["userErrors"][0]["message"]

    # The window passes: the failures are now older than 15 minutes.
    await RateLimitEvent.all().update(at=datetime.now(UTC) - timedelta(minutes=16))
    assert (await login(api, "anna@example.com", PASSWORD))["token"]


async def test_failures_for_unknown_emails_are_limited_too(api):
    for _ in range(5):
        await login(api, "ghost@example.com", "whatever it is")
    locked = await login(api, "ghost@example.com", "whatever it is")
    assert locked["userErrors"][0]["code"] == "RATE_LIMITED"


async def test_logout_makes_the_token_useless(api):
    token = await register(api, "anna@example.com")
    data = await api.data(LOGOUT, {"input": {}}, token=token)
    assert data["logout"] == {"signedOut": True, "userErrors": []}
    assert (await api.data(VIEWER, token=token))["viewer"] is None


async def test_logout_of_all_devices_ends_every_session(api):
    first = await register(api, "anna@example.com")
    second = (await login(api, "anna@example.com"))["token"]
    await api.data(LOGOUT, {"input": {"allDevices": True}}, token=first)
    assert (await api.data(VIEWER, token=second))["viewer"] is None


async def test_password_change_revokes_other_sessions_but_keeps_this_one(api):
    this_device = await register(api, "anna@example.com")
    other_device = (await login(api, "anna@example.com"))["token"]
    new_password = "a brand new passphrase"

    data = await api.data(CHANGE_PASSWORD, {"input": {
        "currentPassword": PASSWORD, "newPassword": new_password,
    }}, token=this_device)
    assert data["changePassword"]["userErrors"] == []

    assert (await api.data(VIEWER, token=other_device))["viewer"] is None
    assert (await api.data(VIEWER, token=this_device))["viewer"]["email"] == "anna@example.com"
    assert (await login(api, "anna@example.com"))["token"] is None
    assert (await login(api, "anna@example.com", new_password))["token"]


async def test_password_change_needs_the_current_password(api):
    token = await register(api, "anna@example.com")
    data = await api.data(CHANGE_PASSWORD, {"input": {
        "currentPassword": "not my password", "newPassword": "a brand new passphrase",
    }}, token=token)
    assert data["changePassword"]["userErrors"][0]["field"] == "currentPassword"
    assert (await login(api, "anna@example.com"))["token"]


async def test_idle_session_expires(api):
    token = await register(api, "anna@example.com")
    await LoginSession.all().update(last_seen_at=datetime.now(UTC) - timedelta(minutes=31))
    assert (await api.data(VIEWER, token=token))["viewer"] is None


async def test_session_expires_at_its_absolute_limit_even_when_active(api):
    token = await register(api, "anna@example.com")
    await LoginSession.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await api.data(VIEWER, token=token))["viewer"] is None


async def test_malformed_and_forged_tokens_sign_no_one_in(api):
    await register(api, "anna@example.com")
    for token in ["garbage", "x" * 43, "", "Bearer Bearer", "-" * 43]:
        body = await api(VIEWER, token=token)
        assert body == {"data": {"viewer": None}}


async def test_signed_out_caller_gets_a_clean_unauthenticated_error(api):
    body = await api(CHANGE_PASSWORD, {"input": {
        "currentPassword": PASSWORD, "newPassword": "a brand new passphrase",
    }}, token="expired-or-forged")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"] == "Sign in to continue."


async def test_update_profile_changes_only_what_is_given(api):
    token = await register(api, "anna@example.com")
    data = await api.data("""
      mutation($input: UpdateProfileInput!) {
        updateProfile(input: $input) { viewer { name timeZone locale } userErrors { field } }
      }""", {"input": {"timeZone": "Europe/London"}}, token=token)
    assert data["updateProfile"]["viewer"] == {
        "name": "Anna Jónsdóttir", "timeZone": "Europe/London", "locale": "en",
    }
    bad = await api.data("""
      mutation($input: UpdateProfileInput!) {
        updateProfile(input: $input) { viewer { name } userErrors { field } }
      }""", {"input": {"locale": "english please", "name": ""}}, token=token)
    assert {e["field"] for e in bad["updateProfile"]["userErrors"]} == {"locale", "name"}
    assert (await api.data(VIEWER, token=token))["viewer"]["name"] == "Anna Jónsdóttir"


async def test_client_turns_on_practitioner_mode(api):
    token = await register(api, "anna@example.com")
    query = """
      mutation($input: PasswordConfirmationInput!) {
        becomeProfessional(input: $input) { viewer { roles } userErrors { code } }
      }"""
    refused = await api.data(query, {"input": {"password": "not it at all"}}, token=token)
    assert refused["becomeProfessional"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    data = await api.data(query, {"input": {"password": PASSWORD}}, token=token)
    assert data["becomeProfessional"]["viewer"]["roles"] == ["CLIENT", "PROFESSIONAL"]


async def test_node_resolves_only_the_viewers_own_account(api):
    anna = await register(api, "anna@example.com")
    bjorn = await register(api, "bjorn@example.com")
    anna_id = (await api.data(VIEWER, token=anna))["viewer"]["id"]
    query = "query($id: ID!) { node(id: $id) { id ... on Viewer { email } } }"
    assert (await api.data(query, {"id": anna_id}, token=anna))["node"]["email"] == (
        "anna@example.com"
    )
    assert (await api.data(query, {"id": anna_id}, token=bjorn))["node"] is None
    assert (await api.data(query, {"id": anna_id}))["node"] is None


async def test_login_response_is_the_same_shape_for_a_locked_unknown_email(api):
    """Locking must not reveal existence either: unknown emails lock exactly like known ones."""
    await register(api, "anna@example.com")
    for email in ("anna@example.com", "ghost@example.com"):
        for _ in range(5):
            await login(api, email, "wrong password!")
    known = await api.data(LOGIN, {"input": {"email": "anna@example.com", "password": "x"}})
    unknown = await api.data(LOGIN, {"input": {"email": "ghost@example.com", "password": "x"}})
    assert known == unknown


async def test_a_signed_in_request_costs_one_statement_to_authenticate(api):
    token = await register(api, "anna@example.com")
    with counting_statements() as statements:
        await api.data(VIEWER, token=token)
    assert len(statements) == 1
