"""Every connection in the schema, found by walking it, and how a test reaches each one.

Tests that must hold for every connection (page-size checks, backward paging) walk the schema
through `connections`, so a new connection is covered without being listed; one on a type not in
`REACH` fails those tests, asking to be listed.
"""

from __future__ import annotations

from graphql import GraphQLObjectType, get_named_type

from schema import build_schema
from settings import Settings

# How each type with connections is reached, and by whom: "professional" or "client".
REACH = {
    "Query": ("professional", "{{ {field} }}"),
    "Practice": ("professional", "{{ practice {{ {field} }} }}"),
    "ClientProfile": ("professional", 'query {{ clientProfile(id: "{client_id}") {{ {field} }} }}'),
    "Hub": ("client", "{{ hub {{ {field} }} }}"),
    "Viewer": ("client", "{{ viewer {{ {field} }} }}"),
}

# Who reads a connection on Query, where REACH's viewer is not the one with the rows.
QUERY_VIEWERS = {"myPayments": "client"}


def connections(settings: Settings) -> list[tuple[str, str]]:
    """(type, field) of every field whose type is a connection and that pages."""
    schema = build_schema(settings)._schema
    return sorted(
        (type_.name, name)
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
        if get_named_type(field.type).name.endswith("Connection") and "first" in field.args
    )


def query_for(type_name: str, field: str, selection: str, client_id: str) -> tuple[str, str]:
    """The viewer ("professional" or "client") and the document that selects `selection`
    (the field with its arguments and sub-selection) on `type_name`."""
    assert type_name in REACH, f"add how to reach {type_name}.{field} to REACH"
    viewer, template = REACH[type_name]
    if type_name == "Query":
        viewer = QUERY_VIEWERS.get(field, viewer)
    return viewer, template.format(field=selection, client_id=client_id)
