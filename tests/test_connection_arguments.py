"""Every connection in the schema refuses an out-of-range `first` with INVALID_INPUT.

The connections are found by walking the schema, so a new one without the page-size check
fails here; a connection on a type not listed in `tests.connections.REACH` fails too."""

from __future__ import annotations

import pytest

from tests.connections import connections, query_for
from tests.note_steps import Practice, practice_with_client


def test_the_walk_finds_the_connections(settings):
    found = connections(settings)
    assert ("Query", "myPayments") in found
    assert len(found) >= 5


@pytest.mark.parametrize("first", [0, 101, 99999999])
async def test_every_connection_refuses_an_out_of_range_first(api, settings, first):
    practice: Practice = await practice_with_client(api)
    tokens = {"professional": practice.token, "client": practice.client_token}
    for type_name, field in connections(settings):
        selection = f"{field}(first: {first}) {{ edges {{ cursor }} }}"
        viewer, query = query_for(type_name, field, selection, practice.client_id)
        body = await api(query, token=tokens[viewer])
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert codes == ["INVALID_INPUT"], (type_name, field, body)
        assert "between 1 and 100" in body["errors"][0]["message"], (type_name, field, body)
