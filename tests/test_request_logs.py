"""The served app's log, as an operator's log shipper reads it: one JSON object per line, each
line of a request carrying that request's id, and none of the secrets the requests carried."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from strawberry.asgi import GraphQL

from middleware.request_log import JsonFormatter, RequestIdFilter, RequestLog
from schema.core.errors import MaskUnexpectedErrors
from schema.core.observed import ObserveOperation
from settings import Settings
from tests.app_process import served_app
from tests.helpers import CURRENT_TERMS, LOGIN, REGISTER, register_and_sign_in

PASSWORD = "Canary-Passw0rd-7731"
EMAIL = "canary.person.7731@example.com"
NOTE_TEXT = "Canary note: spoke about the 7731 dream"
CARD = "4242424242427731"
FORGED_TOKEN = "canary-forged-bearer-token-7731-aaaaaaaaaaaaaaaa"
SECRETS = (PASSWORD, EMAIL, "canary.person", NOTE_TEXT, CARD, FORGED_TOKEN, "7731")


class ServedApi:
    """The helpers' `api`, over HTTP to the served process; every answer's request id kept."""

    def __init__(self, base: str, settings: Settings, database_url: str) -> None:
        """The outbox is read over asyncpg on PostgreSQL, through Tortoise on SQLite."""
        self.http = httpx.AsyncClient(base_url=base)
        self.settings = settings
        self.database_url = database_url if database_url.startswith("postgres") else None
        self.request_ids: list[str] = []

    async def __call__(self, query: str, variables: dict[str, Any] | None = None, *,
                       token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post("/graphql", json={"query": query,
                                                          "variables": variables or {}},
                                        headers=headers)
        self.request_ids.append(response.headers["x-request-id"])
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None, *,
                   token: str | None = None) -> dict[str, Any]:
        body = await self(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        return body["data"]


def _lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


async def test_log_lines_carry_request_ids_and_no_secrets(database_url: str, settings: Settings,
                                                          tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    async with served_app(database_url, log, LOG_FORMAT="json") as base:
        api = ServedApi(base, settings, database_url)
        signed_in = await register_and_sign_in(api, EMAIL, password=PASSWORD)
        account_id = signed_in["viewer"]["id"]
        await api(LOGIN, {"input": {"email": EMAIL, "password": PASSWORD + "x"}})
        await api(REGISTER, {"input": {"email": EMAIL, "password": PASSWORD, "name": NOTE_TEXT,
                                       "timeZone": "Nowhere/7731", "locale": "en",
                                       "roles": ["CLIENT"], **CURRENT_TERMS}})
        await api("{ viewer { id } }", token=FORGED_TOKEN)
        await api("query Bad($n: Int) { viewer { id } }", {"n": CARD})
        await api('{ viewer(x: "' + NOTE_TEXT + '") { id } }')
        await api("mutation { " + PASSWORD, None)
        await api("query Viewer { viewer { id email } }", token=signed_in["token"])
        given = await api.http.get("/health", headers={"X-Request-Id": "proxy-given-0001"})
        await api.http.get(f"/calendar/{FORGED_TOKEN}.ics")
        await api.http.aclose()

    text = log.read_text()
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} is in the log"
    lines = _lines(log)
    assert lines
    assert all(set(line) >= {"time", "level", "logger", "message", "request_id"}
                         for line in lines)
    requests = [line for line in lines if line["message"] == "request"]
    for request_id in api.request_ids:
        mine = [line for line in lines if line["request_id"] == request_id]
        assert [line["message"] for line in mine].count("request") == 1, mine
        assert any(line["logger"] == "uvicorn.access" for line in mine), mine
    assert given.headers["x-request-id"] == "proxy-given-0001"
    assert any(line["request_id"] == "proxy-given-0001" for line in requests)
    viewer = next(line for line in requests if line["operation"] == "Viewer"
                  and line["account_id"])
    assert base64.b64decode(account_id).decode().endswith(f":{viewer['account_id']}")
    assert viewer["latency_ms"] >= 0
    assert viewer["status"] == 200
    refused = next(line for line in requests if line["operation"] == "Bad")
    assert refused["error_codes"]


async def test_a_masked_errors_reference_finds_its_log_line(caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    """The person quotes the reference from the message; support finds the line, and through
    its request id every other line of that request."""
    @strawberry.type
    class Query:
        @strawberry.field
        def broken(self) -> str:
            raise RuntimeError("the database said something private")

    schema = strawberry.Schema(Query, extensions=[ObserveOperation, MaskUnexpectedErrors])
    app = Starlette(routes=[Route("/graphql", GraphQL(schema), methods=["POST"])],
                    middleware=[Middleware(RequestLog)])
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://hub.test") as http:
        answer = await http.post("/graphql", json={"query": "query Broken { broken }"})
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    line = next(record for record in caplog.records
                if getattr(record, "reference", None) == error["extensions"]["reference"])
    assert error["extensions"]["reference"] in error["message"]
    assert line.request_id == answer.headers["x-request-id"]
    request = next(record for record in caplog.records if record.getMessage() == "request")
    assert request.request_id == line.request_id
    assert (request.operation, request.error_codes) == ("Broken", ["INTERNAL"])
    assert "private" not in JsonFormatter().format(request)
