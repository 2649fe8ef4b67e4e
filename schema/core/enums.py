"""GraphQL enums over the models' own enums, with a description for every value.

The model enums stay plain Python (`models/` imports nothing of ours), so their values cannot
carry `strawberry.enum_value(...)`; `described_enum` registers the enum as Strawberry does and
then gives each value its description, refusing to start when a member has none."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

E = TypeVar("E", bound=Enum)


def described_enum(enum_cls: type[E], values: Mapping[E, str], *, description: str,
                   name: str | None = None) -> None:
    """Mark `enum_cls` as a GraphQL enum named `name` whose values are described by `values`.

    It returns nothing: alias the class itself after the call (`X = m.X`), which mypy reads as
    a type, where it would not read the result of a call as one."""
    missing = [member.name for member in enum_cls if member not in values]
    assert not missing, f"describe {', '.join(missing)} in {enum_cls.__name__}'s GraphQL enum"
    enum = strawberry.enum(enum_cls, name=name, description=description)
    assert has_enum_definition(enum)
    definition = enum.__strawberry_definition__
    definition.values = [
        dataclasses.replace(value, description=values[enum_cls(value.value)])
        for value in definition.values
    ]
