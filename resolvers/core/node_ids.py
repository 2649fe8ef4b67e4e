"""The ids the API names objects by (Relay global ids), for the places outside GraphQL that
name objects too: links in emails open the same object the app's `node(id:)` finds, so a screen
never has to translate a raw database id."""

from __future__ import annotations

from binascii import b2a_base64
from urllib.parse import quote


def global_id(type_name: str, uuid: object) -> str:
    """`Session:<uuid>` base64-encoded, exactly as the API's `id` fields answer it (Relay's
    `to_base64`, in one call: every session of a page has one)."""
    return b2a_base64(f"{type_name}:{uuid}".encode(), newline=False).decode("ascii")


def in_path(type_name: str, uuid: object) -> str:
    """The global id as one URL path segment (base64 may hold `/`, `+` and `=`)."""
    return quote(global_id(type_name, uuid), safe="")
