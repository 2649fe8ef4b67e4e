"""Data exports in the API: `exportMyData` (everything we hold about the signed-in person, as
a ZIP built in the background and emailed as a link) and `dataExports` (their status)."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from models import privacy as m
from resolvers.core.pagination import PageRequest
from resolvers.privacy import exports
from schema.accounts.reauthentication import IdentityInput
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.pagination import BOTH_WAYS, After, Before, Connection, First, Last

described_enum(m.DataExportStatus, {
    m.DataExportStatus.PENDING: "Asked for; waiting for the builder.",
    m.DataExportStatus.BUILDING: "Being gathered and packed.",
    m.DataExportStatus.READY: "The link was emailed; it works until `expiresAt`.",
    m.DataExportStatus.FAILED: "It could not be made (see `failure`); ask again.",
    m.DataExportStatus.EXPIRED: "The link stopped working and the file was deleted.",
}, name="DataExportStatus", description="Where an export is on its way to the person.")
DataExportStatus = m.DataExportStatus


@strawberry.type(description="One export of the signed-in person's data. The ZIP itself is "
                             "only behind the link emailed when it is ready.")
class DataExport:
    id: strawberry.ID = strawberry.field(
        description="Stable and unique, for list keys; not a node id (exports are only listed).")
    status: DataExportStatus = strawberry.field(description="Where the export is.")
    requested_at: datetime = strawberry.field(description="When it was asked for.")
    ready_at: datetime | None = strawberry.field(
        description="When the link was emailed; null until READY.")
    expires_at: datetime | None = strawberry.field(
        description="When the link stops working and the file is deleted; null until READY.")
    downloaded_at: datetime | None = strawberry.field(
        description="The last time the link was used; null if never.")
    size_bytes: int | None = strawberry.field(
        description="The ZIP's size in bytes; null until READY.")
    failure: str | None = strawberry.field(
        description="Why it failed and what to do, in words for the person; null otherwise.")

    @classmethod
    def of(cls, export: m.DataExport) -> Self:
        return cls(id=strawberry.ID(str(export.id)), status=export.status,
                   requested_at=export.requested_at, ready_at=export.ready_at,
                   expires_at=export.expires_at, downloaded_at=export.downloaded_at,
                   size_bytes=export.size_bytes, failure=export.failure or None)


@strawberry.input(description="Proof that it is really you: an export hands over everything "
                              "we hold about you, your notes about clients included.")
class ExportMyDataInput:
    identity: IdentityInput = strawberry.field(
        description="Your password (INVALID_CREDENTIALS when wrong), and the code when "
                    "two-step sign-in is on.")


@strawberry.type(description="The export asked for; watch its status in `dataExports`.")
class ExportMyDataPayload(Payload):
    data_export: DataExport | None = strawberry.field(
        default=None, description="The export, PENDING; null when userErrors is not empty.")


@strawberry.type
class ExportQueries:
    @strawberry.field(description="The signed-in person's data exports, newest first."
                                  + BOTH_WAYS)
    async def data_exports(self, info: Info, first: First = None, after: After = None,
                           last: Last = None, before: Before = None) -> Connection[DataExport]:
        page = await exports.my_exports(info.context.caller, request=PageRequest.of(
            first=first, after=after, last=last, before=before))
        return Connection.of(page, DataExport.of)


@strawberry.type
class ExportMutations:
    @strawberry.mutation(description=(
        "Ask for everything we hold about you (GDPR Art. 15 and 20) as a ZIP of JSON files, "
        "receipt PDFs and calendar files; a professional's holds their services, availability, "
        "clients' sessions and notes, opened. It is built in the background and emailed as a "
        "download link that expires (72 hours by default). One at a time: CONFLICT while one "
        "is being made. A professional whose notes are locked gets NOTES_LOCKED: sign in again."
    ))
    @user_errors_as(ExportMyDataPayload)
    async def export_my_data(self, info: Info, input: MutationInput[ExportMyDataInput]
                             ) -> ExportMyDataPayload:
        export = await exports.request_export(
            info.context.caller, password=input.identity.password, code=input.identity.code)
        return ExportMyDataPayload(data_export=DataExport.of(export))
