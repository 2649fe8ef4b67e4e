"""Reading the Relay global ids that inputs carry."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry import relay

from resolvers.validation import as_uuid


def node_uuid(global_id: strawberry.ID, type_name: str) -> UUID | None:
    """The UUID inside a global id of the given type; None for anything else, so the use case
    answers NOT_FOUND exactly as for an id that does not exist."""
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except (ValueError, TypeError, relay.GlobalIDValueError):
        return None
    return as_uuid(parsed.node_id) if parsed.type_name == type_name else None
