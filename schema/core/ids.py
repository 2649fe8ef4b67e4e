"""Relay global ids: reading the ones inputs carry, and writing them on hot types."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry import relay

from resolvers.core.validation import as_uuid


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
    return strawberry.ID(relay.to_base64(type_name, str(uuid)))
