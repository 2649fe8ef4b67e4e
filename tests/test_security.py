"""Secrets at rest, GraphQL abuse limits, production hardening and error masking."""

from __future__ import annotations

import pyotp
import pytest
import strawberry
from argon2 import PasswordHasher
from tortoise import Tortoise

import settings as settings_module
from crypto import totp
from models.accounts import Account
from schema.core.errors import MaskUnexpectedErrors
from tests.conftest import TEST_ENV, Api
from tests.helpers import PASSWORD, VIEWER, login, register
from tests.test_second_factor import VERIFY, enrol, next_code


async def _all_stored_text() -> str:
    """Every row of every table, as one string (bytes decoded so that text inside shows)."""
    connection = Tortoise.get_connection("default")
    tables = [m._meta.db_table for m in Tortoise.apps.get_models_iterable()]
    chunks = []
    for table in tables:
        _, rows = await connection.execute_query(f'SELECT * FROM "{table}"')  # noqa: S608
        for row in rows:
            for value in dict(row).values():
                chunks.append(value.decode("latin-1") if isinstance(value, bytes)
                              else str(value))
    return "\n".join(chunks)


async def test_no_secret_is_stored_in_plain_text(api):
    token = await register(api, "anna@example.com")
    secret, recovery_codes = await enrol(api, token)
    challenge = (await login(api, "anna@example.com"))["challenge"]
    second = await api.data(VERIFY, {"input": {"challenge": challenge,
                                               "code": next_code(secret)}})
    second_token = second["verifySecondFactor"]["token"]
    await login(api, "anna@example.com", "a wrong password")

    stored = await _all_stored_text()
    assert "anna@example.com" in stored  # the check can see text when it is there
    for plain in [PASSWORD, "a wrong password", token, second_token, challenge, secret,
                  *recovery_codes, *(c.replace("-", "") for c in recovery_codes)]:
        assert plain not in stored


async def test_password_hash_is_upgraded_when_parameters_change(settings, database):
    weaker = settings.with_changes(argon2_memory_kib=32)
    async with Api(weaker) as old_api:
        await register(old_api, "anna@example.com")
    old_hash = (await Account.get(email="anna@example.com")).password_hash
    assert "m=32," in old_hash

    async with Api(settings) as current_api:
        assert (await login(current_api, "anna@example.com"))["token"]
    new_hash = (await Account.get(email="anna@example.com")).password_hash
    assert f"m={settings.argon2_memory_kib}," in new_hash
    PasswordHasher().verify(new_hash, PASSWORD)


async def test_a_query_deeper_than_the_limit_is_refused(settings, database):
    async with Api(settings.with_changes(graphql_max_depth=0)) as shallow_api:
        body = await shallow_api(VIEWER)
    assert body.get("data") is None
    assert "exceeds maximum operation depth of 0" in body["errors"][0]["message"]


async def test_deep_introspection_is_refused(api):
    deep = "{ __schema { types { fields { type { fields { type { fields { type { fields {" \
           " type { fields { type { name } } } } } } } } } } } } }"
    body = await api(deep)
    assert body.get("data") is None
    assert "Maximum introspection depth exceeded" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(api):
    aliases = " ".join(f"a{i}: viewer {{ id }}" for i in range(31))
    body = await api(f"{{ {aliases} }}")
    assert "aliases found" in body["errors"][0]["message"]


async def test_aliases_hidden_in_fragments_count_too(api):
    fragment = "fragment F on Query { " + " ".join(
        f"a{i}: viewer {{ id }}" for i in range(31)) + " }"
    body = await api(f"{{ ...F }} {fragment}")
    assert "aliases found" in body["errors"][0]["message"]


async def test_an_oversized_document_is_refused(api):
    body = await api("{ " + "viewer { id } " * 1000 + "}")
    assert body.get("data") is None
    assert "Document contains more than 3000 tokens" in body["errors"][0]["message"]


def _production(settings):
    return settings_module.from_env({
        "ENVIRONMENT": "production", "DATABASE_URL": settings.database_url,
        "SECRET_KEY": "k" * 43, "SMTP_HOST": "smtp.example.com",
    })


async def test_production_refuses_introspection_and_suggestions(settings, database):
    async with Api(_production(settings)) as production_api:
        body = await production_api("{ __schema { types { name } } }")
        assert "introspection" in body["errors"][0]["message"].lower()
        typo = await production_api("{ viewr { id } }")
        assert "Did you mean" not in typo["errors"][0]["message"]
        assert (await production_api.data(VIEWER)) == {"viewer": None}
        ide = await production_api.http.get("/graphql", headers={"accept": "text/html"})
        assert "graphiql" not in ide.text.lower()


async def test_development_offers_introspection_and_graphiql(api):
    body = await api.data("{ __schema { queryType { name } } }")
    assert body["__schema"]["queryType"]["name"] == "Query"
    page = await api.http.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" in page.text.lower()


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(settings_module.SettingsError, match="SECRET_KEY is required"):
        settings_module.from_env({"ENVIRONMENT": "production"})


def test_cheap_password_hashing_is_refused_outside_tests():
    env = {**TEST_ENV, "ENVIRONMENT": "development"}
    with pytest.raises(settings_module.SettingsError, match="ARGON2_MEMORY_KIB must be at least"):
        settings_module.from_env(env)


async def test_unexpected_errors_are_masked_with_a_reference():
    @strawberry.type
    class Query:
        @strawberry.field
        def broken(self) -> str:
            raise RuntimeError("database password is hunter2")

    schema = strawberry.Schema(Query, extensions=[MaskUnexpectedErrors])
    result = await schema.execute("{ broken }")
    error = result.errors[0]
    assert "hunter2" not in error.message
    assert error.message.startswith("Something went wrong on our side (reference ")
    assert error.extensions["code"] == "INTERNAL"
    assert error.extensions["reference"] in error.message


def test_totp_codes_from_the_app_match_what_we_verify():
    secret = totp.new_secret()
    code = pyotp.TOTP(secret).now()
    assert totp.matching_step(secret, code) is not None
    assert totp.matching_step(secret, "12 34 5x") is None


SECRET = "Þórunn-hunter2-ÆÐ"
WRITE_NOTE = """mutation($input: WriteNoteInput!) {
  writeNote(input: $input) { userErrors { code } } }"""
LOGIN_LITERAL = f"""mutation {{ login(input: {{email: "anna@example.com", password: "{SECRET}",
  remember: true}}) {{ token }} }}"""


@pytest.mark.parametrize(("query", "variables", "code"), [
    pytest.param(WRITE_NOTE, {"input": {"clientId": "x", "date": "2026-01-02", "title": SECRET,
                                        "body": SECRET, "mood": 3}}, "BAD_REQUEST",
                 id="unknown field"),
    pytest.param(WRITE_NOTE, {"input": {"clientId": "x", "date": "2026-01-02", "title": "t",
                                        "body": [SECRET]}}, "BAD_REQUEST", id="wrong type"),
    pytest.param(WRITE_NOTE, {"input": {"clientId": "x", "date": SECRET, "title": "t",
                                        "body": "b"}}, "BAD_REQUEST", id="bad scalar"),
    pytest.param(LOGIN_LITERAL, None, "GRAPHQL_VALIDATION_FAILED", id="literal in the document"),
])
async def test_a_malformed_request_is_refused_and_its_values_are_neither_shown_nor_logged(
        api, caplog, query, variables, code):
    caplog.set_level("DEBUG")
    body = await api(query, variables)
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    assert "hunter2" not in error["message"]
    assert "input" in error["message"].lower() or "value" in error["message"].lower()
    logged = "\n".join(record.getMessage() + str(record.exc_info) for record in caplog.records)
    assert "hunter2" not in logged
