"""Relay global ids: reading the ones inputs carry, writing them on hot types, and resolving
`node(id:)` through the resolvers' `visible_*` functions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TypeVar, cast
from uuid import UUID

import strawberry
from strawberry import relay

from resolvers.core import node_ids
from resolvers.core.validation import as_uuid

Row = TypeVar("Row")
Shown = TypeVar("Shown")


def node_uuid(global_id: strawberry.ID, type_name: str) -> UUID | None:
    """The UUID inside a global id of the given type; None for anything else, so the use case
    answers NOT_FOUND exactly as for an id that does not exist."""
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except (ValueError, TypeError, relay.GlobalIDValueError):
        return None
    return as_uuid(parsed.node_id) if parsed.type_name == type_name else None


GLOBAL_ID = "The Globally Unique ID of this object (for node(id:) and for inputs)."


def global_id(type_name: str, uuid: object) -> strawberry.ID:
    """The id Relay's `Node.id` resolver would answer, computed when the object is built.

    Types listed many times per answer (sessions, their services and professionals) declare
    `id` as a plain field set from this, instead of inheriting Node's resolved `id`: a resolved
    field costs GraphQL execution several times a plain one (BENCHMARKS.md, hub). They still
    implement Node, and `node(id:)` resolves them as before."""
    return cast("strawberry.ID", node_ids.global_id(type_name, uuid))


def node_uuids(node_ids: Iterable[str]) -> list[UUID | None]:
    """Node ids as UUIDs; ids that are not UUIDs become None and resolve to null."""
    return [as_uuid(node_id) for node_id in node_ids]


async def visible_nodes(node_ids: Iterable[str],
                        visible: Callable[[list[UUID]], Awaitable[Mapping[UUID, Row]]],
                        of: Callable[[Row], Shown]) -> list[Shown | None]:
    """Every Node type's `resolve_nodes`: the rows the resolver's `visible_*` function lets the
    viewer see, in the order asked, and null for the rest, exactly like an id that does not
    exist (the same rule as the type's query fields)."""
    ids = node_uuids(node_ids)
    found = await visible([i for i in ids if i])
    return [of(found[i]) if i is not None and i in found else None for i in ids]
