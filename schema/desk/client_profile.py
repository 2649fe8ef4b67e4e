"""The professional's view of one client: `clientProfile(id:)`.

`ClientProfile` is a plain Node type other domains extend with their own fields (sessions,
payments, progress); each field calls its domain's resolver with the profile's client and
professional. Its id is the client's account id as a `ClientProfile` global id, which
`Engagement.clientProfileId` gives the professional. Who counts as a client is decided in
resolvers/practice/client_profiles.py; anyone else gets null, as for an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Self

import strawberry
from strawberry import relay

from models import practice as m
from models.accounts import Account
from resolvers.core.pagination import PageRequest
from resolvers.notes import note_reading
from resolvers.payments import payment_queries
from resolvers.practice import client_history, client_profiles
from resolvers.practice.progress import combined
from schema.core.context import Info, viewer_time_zone
from schema.core.ids import node_uuid, visible_nodes
from schema.core.once import Once
from schema.core.pagination import BOTH_WAYS, After, Before, Connection, First, Last
from schema.core.query_errors import user_errors_as_graphql_errors
from schema.notes.note_types import Note
from schema.payments.payment_types import Payment, PaymentTotal
from schema.practice.engagement_types import Engagement
from schema.practice.progress_types import Progress
from schema.scheduling.session_types import Session


@strawberry.type(description="One of the signed-in professional's clients, as they see them.")
class ClientProfile(relay.Node):
    client_id: relay.NodeID[str]
    name: str = strawberry.field(description="The name the client gave when registering.")
    email: str = strawberry.field(
        description="The client's sign-in address; emails to them go here.")
    email_confirmed: bool = strawberry.field(
        description="Whether the client has confirmed the address from its email; until then "
                    "emails may not reach them.")
    time_zone: str = strawberry.field(description="The client's IANA time zone.")
    _client: strawberry.Private[Account]
    _professional: strawberry.Private[Account]
    _engagements: strawberry.Private[Once[list[m.Engagement]]]
    """Read once for engagements, progress and the sessions' engagements."""

    @classmethod
    def of(cls, client: Account, professional: Account) -> Self:
        return cls(client_id=str(client.id), name=client.name, email=client.email,
                   email_confirmed=client.email_confirmed_at is not None,
                   time_zone=client.time_zone, _client=client, _professional=professional,
                   _engagements=Once(lambda: client_profiles.engagements_with(professional,
                                                                              client.id)))

    @strawberry.field(description="The client's engagements with this professional's "
                                  "services, newest first, with their registration details.")
    async def engagements(self, info: Info) -> list[Engagement]:
        return list(map(Engagement.seen_by(info), await self._engagements))

    @strawberry.field(description="Every session of this client with this professional, any "
                                  "status, newest first." + BOTH_WAYS)
    @user_errors_as_graphql_errors
    async def sessions(self, info: Info, first: First = None, after: After = None,
                       last: Last = None, before: Before = None) -> Connection[Session]:
        page = await client_history.sessions_with(
            self._professional, self._client,
            request=PageRequest.of(first=first, after=after, last=last, before=before))
        await info.context.loaders.attach(page.items, known=await self._engagements)
        return Connection.of(page, Session.seen_by(info))

    @strawberry.field(description="The client's payments to this professional, newest first; "
                                  "each paid one has its receiptUrl." + BOTH_WAYS)
    @user_errors_as_graphql_errors
    async def payments(self, first: First = None, after: After = None, last: Last = None,
                       before: Before = None) -> Connection[Payment]:
        page = await payment_queries.client_payments(
            self._professional, self._client.id,
            request=PageRequest.of(first=first, after=after, last=last, before=before))
        return Connection.of(page, Payment.of)

    @strawberry.field(description="What the client has paid this professional, per currency.")
    async def payment_totals(self) -> list[PaymentTotal]:
        return [PaymentTotal.of(t) for t in await payment_queries.totals_paid(
            client_id=self._client.id, professional_id=self._professional.id)]

    @strawberry.field(description="Progress across all of this client's engagements with this "
                                  "professional (each engagement has its own too); months in "
                                  "the professional's time zone.")
    async def progress(self, info: Info) -> Progress:
        found = await self._engagements
        loader = info.context.loaders.progress(viewer_time_zone(info))
        return Progress.of(combined(await loader.load_many([e.id for e in found])))

    @strawberry.field(description=(
        "The professional's notes about this client, opened: newest `aboutDate` first, then "
        "the last written. `from` and `to` (inclusive) filter by `aboutDate`. `search` finds "
        "notes whose title or body contains the text (any case); it runs on the opened notes, "
        "so a search scans from the cursor until a page of matches is found. Null with a "
        "NOTES_LOCKED error when this sign-in cannot open notes. Each read is audited."
        + BOTH_WAYS
    ))
    @user_errors_as_graphql_errors
    async def notes(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
        from_: Annotated[date | None, strawberry.argument(
            name="from", description="Earliest aboutDate to include; null: no lower bound.")
        ] = None,
        to: Annotated[date | None, strawberry.argument(
            description="Latest aboutDate to include; null: no upper bound. Before `from` is "
                        "an INVALID_INPUT error.")] = None,
        search: Annotated[str | None, strawberry.argument(
            description="Text the title or body must contain, any case, at most 200 "
                        "characters; null or blank: every note.")] = None,
    ) -> Connection[Note] | None:
        page = await note_reading.client_notes(
            info.context.caller, self._client.id,
            request=PageRequest.of(first=first, after=after, last=last, before=before),
            date_from=from_, date_to=to, search=search,
        )
        return Connection.of(page, Note.of)

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the client's professional sees the profile; each view is audited."""
        caller = info.context.caller
        return await visible_nodes(
            node_ids, lambda ids: client_profiles.visible_client_profiles(caller, ids),
            lambda client: cls.of(client, caller.require_account()))


@strawberry.type
class ClientProfileQueries:
    @strawberry.field(description="One of your clients (a ClientProfile id, from "
                                  "Engagement.clientProfileId); null for anyone else, exactly "
                                  "as for an id that does not exist.")
    async def client_profile(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(
            description="A ClientProfile id, e.g. Engagement.clientProfileId or "
                        "PracticeClient.id.")],
    ) -> ClientProfile | None:
        caller = info.context.caller
        client = await client_profiles.client_profile(caller, node_uuid(id, "ClientProfile"))
        if client is None or caller.account is None:
            return None
        return ClientProfile.of(client, caller.account)
