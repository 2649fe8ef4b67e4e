"""Trusted documents (TRUSTED_DOCUMENTS): only the operations an app was built with run, named
by the id codegen's persisted documents give them, over HTTP and through the npm graphql-ws
client; anything else is refused with a code, and a list the schema refuses stops the start."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from graphql import (
    DefinitionNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import FragmentSpreadNode, Visitor

from app import create_app
from schema.core.trusted_documents import document_hash
from settings import Settings, SettingsError
from tests.api_client import Api
from tests.helpers import register
from tests.node_clients import node_clients
from tests.served_app import served

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations"

VIEWER = "query Viewer { viewer { id email } }"
HUB_UPDATES = "subscription HubUpdates { hubUpdates { kind session { id } } }"
UNLISTED = document_hash("query Unlisted { viewer { id name } }")
LINE_LIMIT_SECONDS = 30
"""A generous bound so a silent client fails the test instead of hanging it."""


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def persisted_documents(sources: list[str]) -> dict[str, str]:
    """`{hash: document}` as codegen's client preset writes it: one entry per operation, with
    the fragments it spreads (transitively), hashed with sha256 over the printed text."""
    definitions: list[DefinitionNode] = [d for source in sources
                                         for d in parse(source).definitions]
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    listed = {}
    for operation in (d for d in definitions if isinstance(d, OperationDefinitionNode)):
        needed: dict[str, FragmentDefinitionNode] = {}
        pending: list[DefinitionNode] = [operation]
        while pending:
            spreads = _Spreads()
            visit(pending.pop(), spreads)
            for name in spreads.names - needed.keys():
                needed[name] = fragments[name]
                pending.append(fragments[name])
        text = "\n\n".join(print_ast(d) for d in [operation, *needed.values()])
        listed[document_hash(text)] = text
    return listed


LISTED = persisted_documents([VIEWER, HUB_UPDATES])
VIEWER_ID, VIEWER_TEXT = next((h, t) for h, t in LISTED.items() if "Viewer" in t)
HUB_UPDATES_ID = next(h for h, t in LISTED.items() if "HubUpdates" in t)


def write_list(tmp_path: Path, listed: dict[str, str]) -> str:
    path = tmp_path / "persisted-documents.json"
    path.write_bytes(orjson.dumps(listed))
    return str(path)


@pytest.fixture
async def trusted(settings: Settings, tmp_path: Path) -> AsyncIterator[Api]:
    path = write_list(tmp_path, LISTED)
    async with Api(settings.with_changes(trusted_documents=path)) as client:
        yield client


async def post(api: Api, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await api.http.post("/graphql", json=body, headers=headers)


def codes(answer: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in answer.get("errors", [])]


async def test_a_listed_document_runs_by_its_id_alone_or_as_apollo_sends_it(trusted):
    by_id = (await post(trusted, {"documentId": VIEWER_ID})).json()
    apollo = (await post(trusted, {"extensions": {"persistedQuery": {
        "version": 1, "sha256Hash": VIEWER_ID}}})).json()
    with_text = (await post(trusted, {"documentId": VIEWER_ID,
                                      "query": VIEWER_TEXT})).json()
    assert by_id == apollo == with_text == {"data": {"viewer": None}}


async def test_an_unlisted_id_is_refused_without_quoting_it(trusted):
    response = await post(trusted, {"documentId": UNLISTED})
    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] is None
    assert codes(answer) == ["PERSISTED_DOCUMENT_NOT_FOUND"]
    assert UNLISTED not in response.text
    assert "persisted-documents.json" in answer["errors"][0]["message"]


async def test_a_listed_id_with_another_document_is_refused(trusted):
    other = "query Viewer { viewer { id email name roles } }"
    response = await post(trusted, {"documentId": VIEWER_ID, "query": other})
    assert codes(response.json()) == ["PERSISTED_DOCUMENT_MISMATCH"]
    assert "roles" not in response.text


async def test_a_document_without_an_id_runs_only_when_it_is_a_listed_text(trusted):
    raw = await post(trusted, {"query": "{ viewer { id name } }"})
    assert codes(raw.json()) == ["PERSISTED_DOCUMENTS_ONLY"]
    assert "name" not in raw.json()["errors"][0]["message"]
    assert (await post(trusted, {"query": VIEWER_TEXT})).json() == {"data": {"viewer": None}}


async def test_refusals_are_request_errors_in_graphql_over_http(trusted):
    response = await post(trusted, {"documentId": UNLISTED},
                          accept="application/graphql-response+json")
    assert response.status_code == 400
    assert "data" not in response.json()
    assert codes(response.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]


async def test_introspection_stays_refused_in_production(settings, tmp_path):
    path = write_list(tmp_path, persisted_documents([VIEWER]))
    async with Api(settings.with_changes(trusted_documents=path,
                                         environment="production")) as api:
        answer = (await post(api, {"query": "{ __schema { types { name } } }"})).json()
    assert codes(answer) == ["PERSISTED_DOCUMENTS_ONLY"]
    introspecting = write_list(tmp_path, persisted_documents(["{ __schema { types { name } } }"]))
    with pytest.raises(SettingsError, match="does not validate"):
        create_app(settings.with_changes(trusted_documents=introspecting,
                                         environment="production"), manage_database=False)


@pytest.mark.parametrize(("listed", "problem"), [
    ({document_hash("{ nonsense }"): "{ nonsense }"}, "does not validate against this server"),
    ({document_hash("{ viewer {"): "{ viewer {"}, "does not parse"),
    ({"0" * 64: VIEWER}, "is not the sha256 of its document"),
    ({}, "lists no documents"),
    ([VIEWER], "must be a JSON object"),
])
def test_the_start_refuses_a_list_this_schema_cannot_run(settings, tmp_path, listed, problem):
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps(listed))
    with pytest.raises(SettingsError, match=problem):
        create_app(settings.with_changes(trusted_documents=str(path)), manage_database=False)


def test_the_start_names_a_missing_list(settings, tmp_path):
    with pytest.raises(SettingsError, match="cannot read"):
        create_app(settings.with_changes(trusted_documents=str(tmp_path / "absent.json")),
                   manage_database=False)


def test_the_documentation_operations_make_a_list_the_schema_accepts(settings, tmp_path):
    """The allow-list a frontend build would publish, from docs/operations/."""
    if not OPERATIONS.is_dir():
        pytest.skip("docs/operations/ is not on this branch yet")
    listed = persisted_documents([f.read_text() for f in sorted(OPERATIONS.glob("*.graphql"))])
    assert listed
    create_app(settings.with_changes(trusted_documents=write_list(tmp_path, listed)),
               manage_database=False)


@contextlib.asynccontextmanager
async def node_subscription(url: str, token: str, document_id: str
                            ) -> AsyncIterator[asyncio.subprocess.Process]:
    clients = node_clients("the trusted-documents graphql-ws test")
    process = await asyncio.create_subprocess_exec(
        "node", str(clients / "node-tests" / "subscribe_document.mjs"),
        url.replace("http://", "ws://") + "/graphql", token, document_id, cwd=clients,
        stdout=asyncio.subprocess.PIPE)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def next_line(process: asyncio.subprocess.Process) -> dict[str, Any]:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), LINE_LIMIT_SECONDS)
    assert line, "the Node client exited without a word"
    return json.loads(line)


async def test_the_npm_graphql_ws_client_subscribes_by_document_id(
        api, database_url, tmp_path):
    token = await register(api, "anna@example.test")
    path = write_list(tmp_path, LISTED)
    async with served(database_url, tmp_path / "app.log", TRUSTED_DOCUMENTS=path) as app:
        async with node_subscription(app.url, token, HUB_UPDATES_ID) as listed:
            heard = await next_line(listed)
        async with node_subscription(app.url, token, UNLISTED) as unlisted:
            refused = await next_line(unlisted)
    assert heard == {"next": {"data": {"hubUpdates": {"kind": "LISTENING", "session": None}}}}
    assert [error["extensions"]["code"] for error in refused["error"]] == [
        "PERSISTED_DOCUMENT_NOT_FOUND"]
