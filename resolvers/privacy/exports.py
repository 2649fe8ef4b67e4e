"""Asking for an export of one's own data, listing one's exports, and the download behind
an export's link.

Asking needs the password again (and the second factor's code when it is on): a stolen token
must not be enough to take everything. The export is built in the background
(`exports_building`); the request only records it, and the audit entry `export_my_data`
about the person, in one transaction.

A professional's export holds their notes opened, and only their login session can open
them. So the request unwraps the notes key with the caller's token and leaves it on the
export row wrapped under the server key, bound to that export's id; the builder erases it
in the same UPDATE that claims the row (docs/SECURITY.md, "Data exports").
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from crypto import secrets_at_rest
from crypto.tokens import decode_token, derive_key, lookup_hash
from models.privacy import DataExport, DataExportStatus
from resolvers.accounts.note_keys import caller_note_key, has_keys
from resolvers.accounts.reauthentication import confirm_identity
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.core.pagination import Page, PageRequest, keyset_page
from settings import Settings

TOKEN_PURPOSE = "data-export"
BLOB_PURPOSE = "data-export-zip"
NOTE_KEY_PURPOSE = "export-note-key"
ORDER: list[tuple[str, type, bool]] = [("requested_at", datetime, True), ("id", UUID, True)]
IN_PROGRESS = (DataExportStatus.PENDING, DataExportStatus.BUILDING)


def download_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/exports/{token}.zip"


async def request_export(caller: Caller, *, password: str, code: str | None) -> DataExport:
    """Record an export to build; the audit log says the person asked for their data."""
    account = await confirm_identity(caller, password=password, code=code)
    if await DataExport.exists(account_id=account.id, status__in=IN_PROGRESS):
        raise fail("An export of your data is already being prepared. We email you a link as "
                   "soon as it is ready; ask again after that.", ErrorCode.CONFLICT)
    export_id = uuid4()
    note_key, note_key_version = None, None
    if account.is_professional and await has_keys(account):
        key = await caller_note_key(caller)
        note_key = secrets_at_rest.encrypt(
            caller.settings.secret_key, export_id.bytes + bytes(key.private_key),
            purpose=NOTE_KEY_PURPOSE)
        note_key_version = key.version
    async with in_transaction():
        export = await DataExport.create(
            id=export_id, account_id=account.id, address=caller.address[:64],
            pending_note_key=note_key, pending_note_key_version=note_key_version)
        await audit.record(caller, "export_my_data", subject_type="data_export",
                           subject_id=export.id, person_id=account.id)
    return export


async def my_exports(caller: Caller, *, request: PageRequest) -> Page[DataExport]:
    """The caller's exports, newest first."""
    account = caller.require_account()
    return await keyset_page(DataExport.filter(account_id=account.id), order=ORDER,
                             request=request)


async def download(token: str) -> bytes | None:
    """The ZIP behind an export's link while it works; None for unknown and expired links.

    The blob opens only with a key derived from the token, which the database never held.
    """
    raw = decode_token(token)
    if raw is None:
        return None
    now = datetime.now(UTC)
    export = await DataExport.get_or_none(token_hash=lookup_hash(raw, purpose=TOKEN_PURPOSE),
                                          status=DataExportStatus.READY, expires_at__gt=now)
    if export is None or export.blob is None:
        return None
    try:
        data = secrets_at_rest.decrypt(derive_key(raw, purpose=BLOB_PURPOSE), export.blob,
                                       purpose=BLOB_PURPOSE)
    except secrets_at_rest.UndecryptableError:
        return None
    await DataExport.filter(id=export.id).update(downloaded_at=now)
    return data
