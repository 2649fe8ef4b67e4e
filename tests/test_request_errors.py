"""The request's own mistakes: coded, and never a value from the request in what is shown or
logged; no "Did you mean" in production."""

from __future__ import annotations

import pytest

import settings as settings_module
from tests.conftest import Api

SECRET = "MySecretPassw0rd-hunter2"
LOGIN = "mutation($input: LoginInput!) { login(input: $input) { token } }"
REGISTER = "mutation($input: RegisterInput!) { register(input: $input) { accepted } }"

WRITE_NOTE = ("mutation($input: WriteNoteInput!) { writeNote(input: $input) "
              "{ userErrors { code } } }")

MISTAKES = [
    pytest.param(f'mutation {{ login(input: {{email: "a@b.c", password: "{SECRET}", '
                 f'passwrd: "{SECRET}"}}) {{ token }} }}', None, id="unknown input field, inline"),
    pytest.param(LOGIN, {"input": {"email": "a@b.c", "password": SECRET, "passwrd": SECRET}},
                 id="unknown input field, variable"),
    pytest.param(f'mutation {{ login(input: {{email: ["{SECRET}"], password: "{SECRET}"}}) '
                 "{ token } }", None, id="wrong type, inline"),
    pytest.param(LOGIN, {"input": {"email": [SECRET], "password": {"x": SECRET}}},
                 id="wrong type, variable"),
    pytest.param(f'mutation {{ writeNote(input: {{clientId: "x", date: "{SECRET}", title: "t", '
                 'body: "b"}) { userErrors { code } } }', None, id="bad scalar, inline"),
    pytest.param(WRITE_NOTE, {"input": {"clientId": "x", "date": SECRET, "title": "t",
                                        "body": "b"}}, id="bad scalar, variable"),
    pytest.param('mutation { register(input: {email: "a@b.c", password: "p", name: "n", '
                 'timeZone: "UTC", roles: [MySecretPassw0rd_hunter2]}) { token } }', None,
                 id="unknown enum value, inline"),
    pytest.param(REGISTER, {"input": {"email": "a@b.c", "password": "p", "name": "n",
                                      "timeZone": "UTC", "roles": [SECRET]}},
                 id="unknown enum value, variable"),
    pytest.param(LOGIN, {"input": SECRET}, id="not an object, variable"),
    pytest.param(f'mutation {{ login(input: "{SECRET}") {{ token }} }}', None,
                 id="not an object, inline"),
    pytest.param(f'query($first: Int) {{ myPayments(first: "{SECRET}") {{ edges {{ cursor }} }} }}',
                 None, id="not an int, inline"),
    pytest.param("query($first: Int) { myPayments(first: $first) { edges { cursor } } }",
                 {"first": SECRET}, id="not an int, variable"),
    pytest.param(f'mutation {{ login(input: {{email: "{SECRET}" "{SECRET}"}}) {{ token }} }}',
                 None, id="syntax error after a string"),
    pytest.param("{ viewer { id } } MySecretPassw0rd_hunter2", None,
                 id="syntax error on a name"),
]


@pytest.mark.parametrize(("query", "variables"), MISTAKES)
async def test_no_request_value_is_shown_or_logged(api, caplog, query, variables):
    caplog.set_level("DEBUG")
    body = await api(query, variables)
    assert body["errors"]
    for error in body["errors"]:
        assert error["extensions"]["code"] in {
            "BAD_REQUEST", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}
        assert "hunter2" not in error["message"]
    logged = "\n".join(record.getMessage() + str(record.exc_info) for record in caplog.records)
    assert "Request refused" in logged
    assert "hunter2" not in logged


async def test_a_syntax_error_is_parse_failed_and_a_misspelt_field_validation_failed(api):
    [syntax] = (await api("{ viewer {"))["errors"]
    assert syntax["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert syntax["message"] == "Syntax Error: Expected Name, found <EOF>."
    [unknown] = (await api("{ viewr { id } }"))["errors"]
    assert unknown["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert unknown["message"].startswith("Cannot query field 'viewr' on type 'Query'.")


async def test_development_keeps_suggestions_without_values(api):
    [error] = (await api(LOGIN, {"input": {"email": "a@b.c", "password": SECRET,
                                           "passwrd": SECRET}}))["errors"]
    assert error["message"] == (
        "Variable '$input' has invalid value: Expected value of type 'LoginInput' not to "
        "include unknown field 'passwrd'. Did you mean 'password'?")


SUGGESTIBLE = [
    pytest.param("{ viewr { id } }", None, id="field"),
    pytest.param("query($x: Qurey) { viewer { id } }", None, id="type"),
    pytest.param("{ myPayments(frist: 3) { edges { cursor } } }", None, id="argument"),
    pytest.param('mutation { register(input: {email: "a@b.c", password: "p", name: "n", '
                 'timeZone: "UTC", roles: [CLIENTT]}) { token } }', None, id="enum value, inline"),
    pytest.param(REGISTER, {"input": {"email": "a@b.c", "password": "p", "name": "n",
                                      "timeZone": "UTC", "roles": ["CLIENTT"]}},
                 id="enum value, variable"),
    pytest.param('mutation { login(input: {email: "a@b.c", password: "p", passwrd: "x"}) '
                 "{ token } }", None, id="input field, inline"),
    pytest.param(LOGIN, {"input": {"email": "a@b.c", "password": "p", "passwrd": "x"}},
                 id="input field, variable"),
]


@pytest.mark.parametrize(("query", "variables"), SUGGESTIBLE)
async def test_production_suggests_nothing(settings, database, caplog, query, variables):
    caplog.set_level("DEBUG")
    production = settings_module.from_env({
        "ENVIRONMENT": "production", "DATABASE_URL": settings.database_url,
        "SECRET_KEY": "k" * 43, "SMTP_HOST": "smtp.example.com",
    })
    async with Api(settings) as development_api:
        assert "Did you mean" in str(await development_api(query, variables))
    caplog.clear()
    async with Api(production) as production_api:
        body = await production_api(query, variables)
    assert body["errors"]
    assert "Did you mean" not in str(body)
    assert "Did you mean" not in caplog.text


@pytest.mark.parametrize(("query", "variables", "message"), [
    pytest.param('mutation { updateService(input: {serviceId: "x", requiredDetails: null}) '
                 "{ userErrors { code } } }", None,
                 "'requiredDetails' cannot be null: give a value, or leave the field out.",
                 id="inline"),
    pytest.param("mutation($input: UpdateServiceInput!) { updateService(input: $input) "
                 "{ userErrors { code } } }", {"input": {"serviceId": "x", "kind": None}},
                 "This field cannot be null: give a value, or leave the field out.",
                 id="variable"),
])
async def test_null_for_a_field_that_may_only_be_left_out_says_so(api, query, variables,
                                                                   message):
    """Found by fuzzing: Strawberry's own words named Python types, one as a repr with a
    memory address, and advised a schema change."""
    [error] = (await api(query, variables))["errors"]
    assert error["message"].endswith(message), error
    assert "strawberry" not in error["message"].lower()
    assert error["extensions"]["code"] in {"GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"}
