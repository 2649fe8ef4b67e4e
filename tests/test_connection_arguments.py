"""Every connection in the schema refuses an out-of-range `first` with INVALID_INPUT.

The connections are found by walking the schema, so a new one without the page-size check
fails here; a connection on a type not listed in `REACH` fails too, asking to be listed."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType, get_named_type

from schema import build_schema
from tests.note_steps import Practice, practice_with_client

# How each type with connections is reached, and by whom: "professional" or "client".
REACH = {
    "Query": ("professional", "{{ {field} }}"),
    "Practice": ("professional", "{{ practice {{ {field} }} }}"),
    "ClientProfile": ("professional", 'query {{ clientProfile(id: "{client_id}") {{ {field} }} }}'),
    "Hub": ("client", "{{ hub {{ {field} }} }}"),
    "Viewer": ("client", "{{ viewer {{ {field} }} }}"),
}


def _connections(settings) -> list[tuple[str, str]]:
    schema = build_schema(settings)._schema
    return sorted(
        (type_.name, name)
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
        if get_named_type(field.type).name.endswith("Connection") and "first" in field.args
    )


def test_the_walk_finds_the_connections(settings):
    found = _connections(settings)
    assert ("Query", "myPayments") in found
    assert len(found) >= 5


@pytest.mark.parametrize("first", [0, 101, 99999999])
async def test_every_connection_refuses_an_out_of_range_first(api, settings, first):
    practice: Practice = await practice_with_client(api)
    tokens = {"professional": practice.token, "client": practice.client_token}
    for type_name, field in _connections(settings):
        assert type_name in REACH, f"add how to reach {type_name}.{field} to REACH"
        viewer, template = REACH[type_name]
        selection = f"{field}(first: {first}) {{ edges {{ cursor }} }}"
        query = template.format(field=selection, client_id=practice.client_id)
        body = await api(query, token=tokens[viewer])
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert codes == ["INVALID_INPUT"], (type_name, field, body)
        assert "between 1 and 100" in body["errors"][0]["message"], (type_name, field, body)
