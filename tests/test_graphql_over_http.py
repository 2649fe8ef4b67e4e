"""GraphQL over HTTP's `application/graphql-response+json`, for clients whose Accept asks for
it: its content type, and 4xx for a request refused before it ran (the spec's rule for that
media type); plain `application/json` clients keep getting what they got."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Api

MEDIA_TYPE = "application/graphql-response+json"
ACCEPT = {"accept": f"{MEDIA_TYPE}, application/json;q=0.9"}


async def _post(api: Api, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
    return await api.http.post("/graphql", json=body, headers=headers)


async def test_a_query_that_runs_answers_200_in_the_media_type_asked_for(api: Api):
    answer = await _post(api, {"query": "{ cardPaymentsEnabled }"}, ACCEPT)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.json() == {"data": {"cardPaymentsEnabled": False}}


async def test_a_syntax_error_is_400_with_its_code(api: Api):
    answer = await _post(api, {"query": "{ cardPaymentsEnabled "}, ACCEPT)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "data" not in answer.json()


async def test_a_validation_error_is_400_with_its_code(api: Api):
    answer = await _post(api, {"query": "{ noSuchField }"}, ACCEPT)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_bad_variables_are_400_with_their_code(api: Api):
    answer = await _post(api, {"query": "query($slug: String!) { publicService(slug: $slug) "
                                        "{ title } }", "variables": {"slug": 5}}, ACCEPT)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_an_unreadable_body_keeps_its_400_in_the_media_type(api: Api):
    answer = await api.http.post("/graphql", content=b"{not json",
                                 headers={**ACCEPT, "content-type": "application/json"})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_application_json_clients_keep_200_and_their_media_type(api: Api):
    answer = await _post(api, {"query": "{ noSuchField }"}, {"accept": "application/json"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
