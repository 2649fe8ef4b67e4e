"""`node(id:)` with ids that name no Node type answers null, like an id that does not exist."""

from __future__ import annotations

import base64
import logging

import pytest

from tests.helpers import register

NODE = "query($id: ID!) { node(id: $id) { id } }"


def _global_id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize("node_id", [
    pytest.param(_global_id("Hub:1"), id="a type that is not a Node"),
    pytest.param(_global_id("PageInfo:1"), id="a connection helper type"),
    pytest.param(_global_id("Query:1"), id="the root type"),
    pytest.param(_global_id("Banana:123"), id="no such type"),
    pytest.param("not base64 at all!", id="garbage"),
    pytest.param(_global_id("no colon"), id="base64 without a type"),
])
async def test_an_id_that_names_no_node_type_is_null_and_not_an_error(api, caplog, node_id):
    caplog.set_level(logging.INFO)
    token = await register(api, "anna@example.com")
    body = await api(NODE, {"id": node_id}, token=token)
    assert body == {"data": {"node": None}}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
