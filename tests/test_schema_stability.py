"""The API changes only in ways its clients are told about.

docs/released/schema.graphql is the schema of the last release. graphql-core compares it with
the schema the code builds: a breaking change (a field removed, a type changed, a required
argument or input field added...) fails this test unless CHANGELOG.md's Unreleased section
names the schema coordinate it is about in backticks (`RegisterPayload.token`,
`Query.payments(first:)`), and a removed field must have been `@deprecated` in the released
schema first. Dangerous changes (an enum value or optional argument added, a default changed)
are allowed and listed as warnings, for the changelog's writer.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from graphql import (
    BreakingChangeType,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

from app import export_schema

ROOT = Path(__file__).resolve().parent.parent
RELEASED = ROOT / "docs" / "released" / "schema.graphql"
CHANGELOG = ROOT / "CHANGELOG.md"

_SECTION = re.compile(r"^## \[?Unreleased\]?\s*$(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
_ENUM_VALUE = re.compile(r"^(\w+) was removed from enum type (\w+)\.$")


def unreleased_names() -> set[str]:
    """Every `backticked` name in CHANGELOG.md's Unreleased section."""
    section = _SECTION.search(CHANGELOG.read_text())
    assert section, "CHANGELOG.md needs a '## [Unreleased]' section (keep-a-changelog)."
    return set(re.findall(r"`([^`]+)`", section.group(1)))


def coordinate(description: str) -> str:
    """The schema element a graphql-core change description is about: `Type.field` (with an
    argument, `Type.field`), an enum value as `Enum.VALUE`, or a type."""
    if found := _ENUM_VALUE.match(description):
        return f"{found.group(2)}.{found.group(1)}"
    words = [word.rstrip(".") for word in description.split()]
    dotted = [word for word in words if "." in word or "(" in word]
    if dotted:
        return dotted[0].split("(")[0]
    return words[0]


def recorded(name: str, names: set[str]) -> bool:
    """`Query.payments` and `Query.payments(first:)` both record changes of that field."""
    return any(given == name or given.startswith(f"{name}(") for given in names)


def deprecated_in(schema: GraphQLSchema, name: str) -> bool:
    type_name, _, field_name = name.partition(".")
    found = schema.get_type(type_name)
    if isinstance(found, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        field = found.fields.get(field_name)
        return field is not None and getattr(field, "deprecation_reason", None) is not None
    if isinstance(found, GraphQLEnumType):
        value = found.values.get(field_name)
        return value is not None and value.deprecation_reason is not None
    return False


def test_coordinates_are_read_from_graphql_cores_descriptions():
    assert coordinate("Field RegisterPayload.token was removed.") == "RegisterPayload.token"
    assert coordinate("A required field RegisterInput.acceptedTerms was added.") == (
        "RegisterInput.acceptedTerms")
    assert coordinate("Query.payments(first:) has changed defaultValue from 20 to null.") == (
        "Query.payments")
    assert coordinate("LISTENING was removed from enum type HubEventKind.") == (
        "HubEventKind.LISTENING")
    assert coordinate("Money was removed.") == "Money"
    assert recorded("Query.payments", {"Query.payments(first:)"})
    assert not recorded("Query.pay", {"Query.payments"})


def problems(released: GraphQLSchema, current: GraphQLSchema, names: set[str]
             ) -> tuple[list[str], list[str]]:
    """(breaking changes the changelog does not name, fields removed without deprecation)."""
    breaking = find_breaking_changes(released, current)
    unrecorded = [change.description for change in breaking
                  if not recorded(coordinate(change.description), names)]
    undeprecated = [change.description for change in breaking
                    if change.type is BreakingChangeType.FIELD_REMOVED
                    and not deprecated_in(released, coordinate(change.description))]
    return unrecorded, undeprecated


def test_an_unrecorded_or_undeprecated_removal_is_caught():
    released = build_schema("""type Query { a: Int, b: Int @deprecated(reason: "Use a.") }""")
    current = build_schema("type Query { c: Int }")

    assert problems(released, current, set()) == (
        ["Field Query.a was removed.", "Field Query.b was removed."],
        ["Field Query.a was removed."])
    assert problems(released, current, {"Query.a", "Query.b"}) == (
        [], ["Field Query.a was removed."])


def test_breaking_changes_since_the_release_are_in_the_changelog(settings):
    released = build_schema(RELEASED.read_text())
    current = build_schema(export_schema(settings))

    unrecorded, undeprecated = problems(released, current, unreleased_names())
    if dangerous := find_dangerous_changes(released, current):
        warnings.warn("API changes since the release that may surprise a client; make sure "
                      "CHANGELOG.md mentions them:\n" + "\n".join(
                          change.description for change in dangerous), stacklevel=1)

    assert unrecorded == [], (
        "Breaking API changes since docs/released/schema.graphql that CHANGELOG.md's "
        "Unreleased section does not name (put the coordinate in backticks, with what clients "
        "must do), or avoid them:\n" + "\n".join(unrecorded))
    assert undeprecated == [], (
        "Fields removed without being @deprecated in the released schema first: keep them, "
        "mark them @deprecated(reason: ...) for a release, then remove them:\n"
        + "\n".join(undeprecated))
