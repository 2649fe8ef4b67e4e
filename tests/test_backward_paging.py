"""Every connection pages backward (`last`/`before`) over exactly the pages forward paging gives.

The connections are found by walking the schema (tests/connections.py), so a new connection is
held to this without being listed. Each walk checks what a screen relies on: the same items in
the same (list) order either way, the same cursor for an item whichever way it was reached, and
`pageInfo` telling where the page sits.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from models.practice import Engagement
from models.privacy import DataExport, DataExportStatus
from tests import hub_steps
from tests.connections import connections, query_for
from tests.note_steps import PROFILE, Practice, practice_with_client, written
from tests.practice_steps import APPROVE, client, request

ROWS = 6
"""Rows seeded in every connection: three pages of two, a full and a part page of four."""
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
ACCESS_LOGS = {("Practice", "accessLog"), ("Viewer", "accessLog")}
"""Lists that grow as other connections are read (each clientProfile read is logged): they hold
at least ROWS entries, and exactly as many as the forward walk found while both walks run."""


async def _seeded(api: Any) -> Practice:
    """A practice with ROWS clients; its first client has ROWS past sessions, each paid, and
    ROWS notes (two on each date, so the tie-breaking sort keys are paged over too); its
    professional has ROWS past data exports."""
    practice = await practice_with_client(api)
    owner = hub_steps.Practice(token=practice.token,
                               account=await hub_steps.account(practice.email))
    engagement = await Engagement.get(client__email=practice.client_email)
    now = datetime.now(UTC).replace(microsecond=0)
    for day in range(ROWS):
        session = await hub_steps.add_session(engagement, now - timedelta(days=day + 1))
        await hub_steps.pay(api, owner, session)
        about = date(2026, 11, 20) - timedelta(days=day // 2)
        await written(api, practice.token, practice.client_id, date=about.isoformat(),
                      title=f"Tími {day}", body="Talaði um svefninn." if day % 3 else "Annað.")
    for _ in range(ROWS):
        await api.data(PROFILE, {"id": practice.client_id}, token=practice.token)
        await DataExport.create(account_id=owner.account.id, status=DataExportStatus.EXPIRED)
    for number in range(ROWS - 1):
        token = await client(api, f"client{number}@example.com", f"Client {number}")
        engagement_id = (await request(api, token, practice.service))["engagement"]["id"]
        approved = await api.data(APPROVE, {"input": {"engagementId": engagement_id}},
                                  token=practice.token)
        assert approved["approveRequest"]["userErrors"] == []
    return practice


def _tokens(practice: Practice) -> dict[str, str]:
    return {"professional": practice.token, "client": practice.client_token}


async def _ask(api: Any, practice: Practice, type_name: str, field: str,
               **arguments: Any) -> dict[str, Any]:
    """The whole answer to one page of the connection, asked as the SPA would."""
    written = ", ".join(f"{name}: {_literal(name, value)}" for name, value in arguments.items())
    selection = f"{field}({written}) {{ edges {{ cursor node {{ id }} }} {PAGE_INFO} }}"
    viewer, query = query_for(type_name, field, selection, practice.client_id)
    return await api(query, token=_tokens(practice)[viewer])


def _literal(name: str, value: Any) -> str:
    """`value` written inline: strings quoted, enum values (orderBy) as they are."""
    return json.dumps(value) if isinstance(value, str) and name != "orderBy" else str(value)


async def _page(api: Any, practice: Practice, type_name: str, field: str,
                **arguments: Any) -> dict[str, Any]:
    body = await _ask(api, practice, type_name, field, **arguments)
    assert "errors" not in body, (type_name, field, body)
    found = body["data"]
    while field not in found:
        [found] = found.values()
    return found[field]


async def _walk(api: Any, practice: Practice, type_name: str, field: str, *, size: int,
                backward: bool, **filters: Any) -> list[dict[str, Any]]:
    """Every page, in the order read: from the start forward, or from the end backward."""
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(pages) <= 50:
        if backward:
            paging = {"last": size, **({"before": cursor} if cursor else {})}
        else:
            paging = {"first": size, **({"after": cursor} if cursor else {})}
        page = await _page(api, practice, type_name, field, **paging, **filters)
        pages.append(page)
        info = page["pageInfo"]
        if not info["hasPreviousPage" if backward else "hasNextPage"]:
            return pages
        cursor = info["startCursor" if backward else "endCursor"]
    raise AssertionError(f"{type_name}.{field} never reached its end")


def _ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


def _cursors(pages: list[dict[str, Any]]) -> dict[str, str]:
    return {edge["node"]["id"]: edge["cursor"] for page in pages for edge in page["edges"]}


def _assert_both_ways_agree(where: Any, size: int, forward: list[dict[str, Any]],
                            backward: list[dict[str, Any]], rows: int) -> None:
    in_order = [item for page in forward for item in _ids(page)]
    assert len(in_order) == rows, where
    assert [item for page in backward[::-1] for item in _ids(page)] == in_order, where
    if rows % size == 0:
        assert [_ids(page) for page in backward[::-1]] == [_ids(page) for page in forward], where
    assert _cursors(forward) == _cursors(backward), where
    for index, page in enumerate(forward):
        info = page["pageInfo"]
        assert info["hasPreviousPage"] == (index > 0), (where, "forward", index, info)
        assert info["hasNextPage"] == (index < len(forward) - 1), (where, "forward", index)
        assert info["startCursor"] == page["edges"][0]["cursor"], where
        assert info["endCursor"] == page["edges"][-1]["cursor"], where
    for index, page in enumerate(backward):
        info = page["pageInfo"]
        assert info["hasNextPage"] == (index > 0), (where, "backward", index, info)
        assert info["hasPreviousPage"] == (index < len(backward) - 1), (where, "backward", index)
        assert info["startCursor"] == page["edges"][0]["cursor"], where
        assert info["endCursor"] == page["edges"][-1]["cursor"], where


async def test_every_connection_pages_backward_over_the_pages_forward_paging_gives(api,
                                                                                  settings):
    practice = await _seeded(api)
    found = connections(settings)
    assert len(found) >= 7, found
    for type_name, field in found:
        for size in (2, 4):
            forward = await _walk(api, practice, type_name, field, size=size, backward=False)
            backward = await _walk(api, practice, type_name, field, size=size, backward=True)
            rows = ROWS
            if (type_name, field) in ACCESS_LOGS:
                rows = sum(len(page["edges"]) for page in forward)
                assert rows >= ROWS, (type_name, field)
            _assert_both_ways_agree((type_name, field, size), size, forward, backward, rows)


@pytest.mark.parametrize("order", ["NAME", "NEXT_SESSION", "LAST_SESSION"])
async def test_practice_clients_page_backward_in_every_order(api, order):
    practice = await _seeded(api)
    forward = await _walk(api, practice, "Practice", "clients", size=4, backward=False,
                          orderBy=order)
    backward = await _walk(api, practice, "Practice", "clients", size=4, backward=True,
                           orderBy=order)
    _assert_both_ways_agree(order, 4, forward, backward, ROWS)


async def test_a_note_search_pages_backward_over_the_same_matches(api):
    """Search scans the opened notes; backward it scans from the end, still page by page."""
    practice = await _seeded(api)
    matching = len([day for day in range(ROWS) if day % 3])
    forward = await _walk(api, practice, "ClientProfile", "notes", size=2, backward=False,
                          search="svefninn")
    backward = await _walk(api, practice, "ClientProfile", "notes", size=2, backward=True,
                           search="svefninn")
    _assert_both_ways_agree("search", 2, forward, backward, matching)


async def test_an_empty_list_is_one_empty_page_either_way(api, settings):
    practice = await practice_with_client(api)
    for arguments in ({"first": 3}, {"last": 3}):
        page = await _page(api, practice, "Hub", "payments", **arguments)
        assert page == {"edges": [], "pageInfo": {
            "hasNextPage": False, "hasPreviousPage": False,
            "startCursor": None, "endCursor": None}}


NOT_A_CURSOR = "zzz-not-a-cursor-zzz"


@pytest.mark.parametrize(("arguments", "field"), [
    ({"first": 2, "last": 2}, "last"),
    ({"after": NOT_A_CURSOR, "before": NOT_A_CURSOR}, "before"),
    ({"first": 2, "before": NOT_A_CURSOR}, "first"),
    ({"last": 2, "after": NOT_A_CURSOR}, "last"),
    ({"last": 0}, "last"),
    ({"last": 101}, "last"),
    ({"last": 99999999}, "last"),
    ({"last": 2, "before": NOT_A_CURSOR}, "before"),
])
async def test_every_connection_refuses_a_bad_backward_request(api, settings, arguments,
                                                               field):
    practice = await practice_with_client(api)
    for type_name, connection in connections(settings):
        body = await _ask(api, practice, type_name, connection, **arguments)
        where = (type_name, connection, arguments)
        [error] = body["errors"]
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}, where
        for value in arguments.values():
            assert str(value) not in error["message"].replace("between 1 and 100", ""), where
