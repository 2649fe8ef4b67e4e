"""Runs the authorization matrix (tests/authorization_matrix.py) against two unrelated
practices: every declared cell, every root field of the schema and every HTTP route covered,
refusals answered exactly like misses, and no refused call changing anything."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from graphql import OperationDefinitionNode, parse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from app import create_app
from gateways.events import events_for
from models.notes import Note
from models.payments import Payment
from models.practice import Engagement, Invitation, Service
from models.scheduling import Session
from schema import build_schema
from settings import Settings
from tests.authorization_matrix import MUTATIONS, QUERIES, ROUTES, SUBSCRIPTIONS, Case
from tests.authorization_outcomes import NOT_APPLICABLE, PUBLIC, Outcome, observed, status
from tests.authorization_world import IDENTITIES, World, build
from tests.ws_client import graphql_ws, served

STRANGERS = ("unrelated_client", "unrelated_professional")
"""Practice B's people: nothing of practice A may appear in what they get."""


def root_field(query: str) -> str:
    [operation] = [d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode)]
    return operation.selection_set.selections[0].name.value  # type: ignore[attr-defined]


def covered(cases: dict[str, Case]) -> set[str]:
    return {root_field(c["query"]) for c in cases.values()}


def test_every_root_field_has_a_row(settings: Settings) -> None:
    schema = build_schema(settings)._schema
    for kind, root, cases in (("query", schema.query_type, QUERIES),
                              ("mutation", schema.mutation_type, MUTATIONS),
                              ("subscription", schema.subscription_type, SUBSCRIPTIONS)):
        assert root is not None
        missing = sorted(set(root.fields) - covered(cases))
        assert missing == [], (f"{kind} fields without a row in tests/authorization_matrix.py: "
                               f"{', '.join(missing)}")
        for name, row in cases.items():
            assert set(IDENTITIES) <= set(row), f"{name}: declare every caller"


def _route_paths(routes: list[BaseRoute]) -> set[str]:
    return {route.path for route in routes if isinstance(route, Route | WebSocketRoute | Mount)}


def test_every_http_route_has_a_row(settings: Settings) -> None:
    missing = sorted(_route_paths(create_app(settings, manage_database=False).routes)
                     - set(ROUTES))
    assert missing == [], f"HTTP routes without a row in ROUTES: {', '.join(missing)}"


def _with_ids(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, dict):
        return {k: _with_ids(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_ids(v, ids) for v in value]
    return value


def _names_an_object(row: Case) -> bool:
    return "@" in orjson.dumps(row["variables"]).decode()


def _leaks(body: Any, world: World) -> list[str]:
    """Practice A's ids found in an answer to one of practice B's people."""
    text = orjson.dumps(body).decode()
    return [kind for kind, value in world.ids.items()
            if kind not in {"service_slug", "invitation_token"} and value in text]


async def _ask(api: Any, row: Case, token: str | None, ids: dict[str, str]) -> dict[str, Any]:
    return await api(row["query"], _with_ids(row["variables"], ids), token=token)


async def _check_cases(api: Any, world: World, cases: dict[str, Case],
                       callers: tuple[str, ...] = IDENTITIES) -> list[str]:
    failures = []
    for name, row in cases.items():
        field = root_field(row["query"])
        for caller in callers:
            expected: Outcome = row[caller]
            if expected == NOT_APPLICABLE:
                continue
            token = world.tokens[caller]
            body = await _ask(api, row, token, world.ids)
            got = observed(body, field)
            if got != expected:
                failures.append(f"{name} as {caller}: expected {expected}, got {got}: {body}")
                continue
            if caller in STRANGERS and (leaked := _leaks(body, world)):
                failures.append(f"{name} as {caller}: shows practice A's {leaked}")
            if (got.kind != "ALLOWED" and caller in (*STRANGERS, "signed_out")
                    and _names_an_object(row) and not row.get("link")):
                miss = await _ask(api, row, token, world.missing)
                if miss != body:
                    failures.append(f"{name} as {caller}: a refusal {body} differs from a "
                                    f"miss {miss}")
    return failures


@pytest.fixture
async def world(api: Any) -> World:
    return await build(api)


async def test_queries_answer_each_caller_as_declared(api: Any, world: World) -> None:
    failures = await _check_cases(api, world, QUERIES)
    assert failures == [], "\n".join(failures)


async def _rows_of_practice_a() -> list[Any]:
    """What a refused mutation must leave exactly as it was."""
    rows: list[Any] = []
    for model in (Service, Engagement, Invitation, Session, Payment, Note):
        rows.append(await model.all().order_by("id").values())
    return rows


async def test_mutations_refuse_everyone_but_the_owner_and_change_nothing(
        api: Any, world: World) -> None:
    before = await _rows_of_practice_a()
    object_cases = {name: row for name, row in MUTATIONS.items()
                    if _names_an_object(row) and not row.get("link")}
    failures = await _check_cases(api, world, object_cases)
    assert failures == [], "\n".join(failures)
    assert await _rows_of_practice_a() == before


async def test_account_mutations_need_a_sign_in_where_declared(api: Any, world: World) -> None:
    account_cases = {name: row for name, row in MUTATIONS.items()
                     if not _names_an_object(row) or row.get("link")}
    failures = await _check_cases(api, world, account_cases, callers=("signed_out",))
    assert failures == [], "\n".join(failures)


async def test_subscriptions_answer_each_caller_as_declared(
        api: Any, world: World, settings: Settings) -> None:
    bus = events_for(settings)
    await bus.start()
    failures = []
    try:
        async with served(settings, bus) as url:
            for name, row in SUBSCRIPTIONS.items():
                for caller in IDENTITIES:
                    expected = row[caller]
                    if expected == NOT_APPLICABLE:
                        continue
                    token = world.tokens[caller]
                    payload = {"authorization": f"Bearer {token}"} if token else None
                    async with graphql_ws(url, payload) as ws:
                        assert (await ws.receive())["type"] == "connection_ack"
                        await ws.send({"id": "1", "type": "subscribe", "payload": {
                            "query": row["query"],
                            "variables": _with_ids(row["variables"], world.ids)}})
                        message = await ws.receive()
                    got = observed(message.get("payload", {}), root_field(row["query"]))
                    if got != expected:
                        failures.append(f"{name} as {caller}: expected {expected}, got {got}: "
                                        f"{message}")
    finally:
        await bus.stop()
    assert failures == [], "\n".join(failures)


async def test_http_routes_answer_each_caller_as_declared(
        stripe_api: Any, world: World) -> None:
    """Asked of a server that takes card payments, so that the webhook route is live."""
    api = stripe_api
    failures = []
    for name, row in ROUTES.items():
        answers = set()
        for caller in IDENTITIES:
            expected = row[caller]
            if expected == NOT_APPLICABLE:
                continue
            token = world.tokens[caller]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            path = _with_ids(row["path"], world.ids)
            response = await api.http.request(row.get("method", "GET"), path, headers=headers)
            answers.add((response.status_code, response.text))
            if expected == PUBLIC:
                continue
            if status(response.status_code) != expected:
                failures.append(f"{name} as {caller}: expected {expected}, got "
                                f"{response.status_code}")
            if str(row["path"]).startswith("@"):
                miss = await api.http.get(_with_ids(row["path"], world.missing), headers=headers)
                if status(miss.status_code) != row["miss"]:
                    failures.append(f"{name} as {caller}: a link to nothing answers "
                                    f"{miss.status_code}, not {row['miss']}")
        if PUBLIC in row.values() and len(answers) != 1:
            failures.append(f"{name}: callers get different answers {answers}")
    assert failures == [], "\n".join(failures)


async def test_an_altered_receipt_link_answers_like_a_missing_one(
        api: Any, world: World) -> None:
    path = world.ids["receipt_path"]
    altered = re.sub(r"([?&][^=]+=)([^&])", lambda m: m.group(1) + ("B" if m.group(2) != "B"
                                                                     else "C"), path, count=1)
    assert altered != path
    other_payment = await api.http.get(altered)
    missing = await api.http.get(world.missing["receipt_path"])
    assert (other_payment.status_code, other_payment.text) == (missing.status_code, missing.text)
