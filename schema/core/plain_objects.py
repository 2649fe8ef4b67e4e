"""Compiled completions of plain values: leaves, and an object selection as one function.

The closures and generated functions here answer exactly what the schema's own serialisers
answer, or raise `GiveBack`: the value is then graphql-core's to complete
(schema/core/plain_fields.py, which compiles selections from these).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from inspect import isawaitable
from typing import Any, cast

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema.types import base_scalars

Complete = Callable[[Any], Any]
"""A compiled completion: the value as the response holds it, or `GiveBack`."""

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
_plain_types: dict[type, bool] = {}
"""Whether values of a type can be completed here: neither awaitable nor an exception.
By type, so the check costs a dictionary lookup after the first value."""


class GiveBack(Exception):
    """The value is graphql-core's to complete."""


def is_plain(value: object) -> bool:
    """Neither awaitable nor an exception: graphql-core treats those apart."""
    kind = type(value)
    found = _plain_types.get(kind)
    if found is None:
        found = not isinstance(value, Exception) and not isawaitable(value)
        if not kind.__name__.endswith("generator"):
            _plain_types[kind] = found
    return found


_SERIALISED_AS_IS: dict[GraphQLLeafType, type] = {
    GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
"""Built-in scalars whose serialisation returns a value of exactly this type unchanged (not
Float: it refuses NaN and infinities; not Int: it checks the 32-bit range)."""


def leaf(leaf_type: GraphQLLeafType) -> Complete:
    coerce = leaf_type.coerce_output_value
    same = _SERIALISED_AS_IS.get(leaf_type)

    def complete_leaf(value: Any) -> Any:
        if value is None:
            return None
        if value is Undefined:
            raise GiveBack
        if type(value) is same:
            return value
        if not is_plain(value):
            raise GiveBack
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise GiveBack
        return coerced
    return complete_leaf


_INT_RANGE = "-2147483648 <= {v} <= 2147483647"
_DATES: dict[type, str] = {datetime: "datetime", date: "date"}


class ObjectSource:
    """The completion of one object selection as the source of one Python function: each
    field read and its leaf serialised inline, `{"key": value, ...}` built in one
    expression. A dozen closure calls per object became none (a page of 50 sessions spent
    a third of its completion calling them, BENCHMARKS.md). Only the common cases are
    inline, each exactly what the schema's own serialiser answers for it (a str as it is, an
    int in the 32-bit range, a datetime's isoformat, an enum member's name); any other value
    goes to the leaf's general completion (`leaf`), and a nested object, list or unusual leaf
    to its compiled completion. Identifiers and response keys come from the schema (GraphQL
    names), never from a request's values."""

    def __init__(self, classes: tuple[type, ...]) -> None:
        self._lines = ["def plain_object(value):", "    if value is None:", "        return None",
                       "    if not isinstance(value, classes):", "        raise GiveBack"]
        self._namespace: dict[str, Any] = {"classes": classes, "GiveBack": GiveBack,
                                           "datetime": datetime, "date": date}
        self._entries: list[str] = []

    def constant(self, key: str, value: str) -> None:
        self._entries.append(f"{key!r}: {value!r}")

    def field(self, key: str, attribute: str, return_type: GraphQLOutputType,
              compile_inner: Callable[[GraphQLOutputType], Complete | None]) -> bool:
        """Add the field, or answer False when its completion cannot be compiled."""
        index = len(self._entries)
        v = f"v{index}"
        self._lines.append(f"    {v} = value.{attribute}")
        inner = return_type
        if is_non_null_type(return_type):
            inner = return_type.of_type
            self._lines += [f"    if {v} is None:", "        raise GiveBack"]
        if is_leaf_type(inner):
            self._leaf(v, index, inner)
        else:
            complete = compile_inner(inner)
            if complete is None:
                return False
            self._namespace[f"complete{index}"] = complete
            self._lines.append(f"    {v} = complete{index}({v})")
        self._entries.append(f"{key!r}: {v}")
        return True

    def _leaf(self, v: str, index: int, leaf_type: GraphQLLeafType) -> None:
        general = f"leaf{index}"
        self._namespace[general] = leaf(leaf_type)
        coerce = leaf_type.coerce_output_value
        same = _SERIALISED_AS_IS.get(leaf_type)
        if same is not None:
            self._namespace[f"type{index}"] = same
            self._lines += [f"    if type({v}) is not type{index}:",
                            f"        {v} = {general}({v})"]
        elif leaf_type is GraphQLInt:
            self._lines += [f"    if type({v}) is not int or not {_INT_RANGE.format(v=v)}:",
                            f"        {v} = {general}({v})"]
        elif coerce is base_scalars.isoformat and (kind := _date_kind(leaf_type)):
            self._lines += [f"    {v} = {v}.isoformat() if type({v}) is {kind} "
                            f"else {general}({v})"]
        elif isinstance(leaf_type, GraphQLEnumType) and (names := _enum_names(leaf_type)):
            self._namespace[f"names{index}"] = names
            self._namespace[f"members{index}"] = type(next(iter(names)))
            self._lines += [f"    {v} = names{index}[{v}] if type({v}) is members{index} and "
                            f"{v} in names{index} else {general}({v})"]
        else:
            self._lines.append(f"    {v} = {general}({v})")

    def function(self) -> Complete:
        self._lines.append("    return {" + ", ".join(self._entries) + "}")
        exec("\n".join(self._lines), self._namespace)  # noqa: S102 (names from the schema)
        return cast("Complete", self._namespace["plain_object"])


def _date_kind(leaf_type: GraphQLLeafType) -> str | None:
    """Strawberry's DateTime and Date, whose serialiser is `isoformat`."""
    definition = leaf_type.extensions.get(_BACKREF)
    origin = getattr(definition, "origin", None)
    return _DATES.get(origin) if isinstance(origin, type) else None


def _enum_names(enum_type: GraphQLEnumType) -> dict[Any, str]:
    """Each member of the Python enum behind a Strawberry enum with the name its serialiser
    gives it (the first GraphQL value with the member's value)."""
    wrapped = getattr(enum_type, "wrapped_cls", None)
    if not isinstance(wrapped, type) or not issubclass(wrapped, enum.Enum):
        return {}
    names = {}
    for member in wrapped:
        try:
            names[member] = enum_type.coerce_output_value(member)
        except Exception:  # noqa: S112 (left to the general path)
            continue
    return names
