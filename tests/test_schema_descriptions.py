"""Every element of the schema carries a description: it is the documentation frontend
developers read in GraphiQL and in their generated types.

The walk covers types (scalars, objects, interfaces, unions, enums, inputs), fields, their
arguments, input fields, enum values and directives, so a new field without a description
fails here with its coordinate."""

from __future__ import annotations

import re

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from schema import build_schema


def _undescribed(schema: GraphQLSchema) -> list[str]:
    """Coordinates (`Type.field(arg:)`) whose description is missing or only restates the name."""
    missing: list[str] = []

    def check(coordinate: str, name: str, description: str | None) -> None:
        if not description or not description.strip() or _restates(name, description):
            missing.append(coordinate)

    def check_args(coordinate: str, args: dict[str, GraphQLArgument]) -> None:
        for arg_name, arg in args.items():
            check(f"{coordinate}({arg_name}:)", arg_name, arg.description)

    for type_name, type_ in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        check(type_name, type_name, type_.description)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                check(f"{type_name}.{field_name}", field_name, field.description)
                check_args(f"{type_name}.{field_name}", field.args)
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                check(f"{type_name}.{field_name}", field_name, field.description)
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                check(f"{type_name}.{value_name}", value_name, value.description)
    for directive in schema.directives:
        check(f"@{directive.name}", directive.name, directive.description)
        check_args(f"@{directive.name}", directive.args)
    return missing


def _words(text: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text).replace("_", " ")
    return re.findall(r"[a-z0-9]+", spaced.lower())


def _restates(name: str, description: str) -> bool:
    """`displayName: "Display name."` says nothing the name did not."""
    return _words(name) == _words(description)


def test_every_schema_element_has_a_description(settings):
    missing = _undescribed(build_schema(settings)._schema)
    assert not missing, (
        f"{len(missing)} schema elements have no description (or one that only restates the "
        "name); describe them for a frontend developer:\n" + "\n".join(missing)
    )


def test_the_walk_notices_a_missing_description(settings):
    schema = build_schema(settings)._schema
    schema.type_map["PageInfo"].fields["hasNextPage"].description = None
    schema.type_map["Query"].fields["node"].args["id"].description = "Id"
    assert {"PageInfo.hasNextPage", "Query.node(id:)"} <= set(_undescribed(schema))
