"""The access log in the API: `viewer.accessLog` (who read my data) and the professional's
`practice.accessLog` (what I read)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from resolvers.accounts.access_log import Access


@strawberry.enum(description="What was read.")
class AccessKind(Enum):
    PROFILE = strawberry.enum_value("read_client_profile",
                                    description="The client's profile in the practice: "
                                                "details, registration answers, sessions.")
    NOTES = strawberry.enum_value("read_notes", description="A page of the professional's "
                                                            "notes about the client.")
    EXPORT = strawberry.enum_value("export_my_data",
                                   description="An export of the person's data (exportMyData).")


@strawberry.type(description="A person in the access log.")
class AccessLogPerson:
    name: str | None = strawberry.field(
        description="Null when the account no longer exists.")
    is_you: bool = strawberry.field(description="The signed-in person.")


@strawberry.type(description="One read of someone's personal data, from the audit log.")
class AccessLogEntry:
    id: strawberry.ID = strawberry.field(
        description="Stable and unique, for list keys; not a node id (entries are only listed).")
    at: datetime = strawberry.field(description="When it was read.")
    kind: AccessKind = strawberry.field(description="What was read.")
    accessed_by: AccessLogPerson | None = strawberry.field(
        description="Who read it; null for the service itself (a background job).")
    about: AccessLogPerson | None = strawberry.field(description="Whose data it is.")
    address: str | None = strawberry.field(
        description="The network address of the reader, shown only to the reader themself "
                    "(in practice.accessLog); null in a client's log.")

    @classmethod
    def of(cls, access: Access, *, viewer_id: str, show_address: bool) -> Self:
        def person(person_id: object, name: str | None) -> AccessLogPerson | None:
            if person_id is None:
                return None
            return AccessLogPerson(name=name, is_you=str(person_id) == viewer_id)

        return cls(id=strawberry.ID(str(access.id)), at=access.at,
                   kind=AccessKind(access.kind.value),
                   accessed_by=person(access.by_id, access.by_name),
                   about=person(access.about_id, access.about_name),
                   address=access.address if show_address else None)

