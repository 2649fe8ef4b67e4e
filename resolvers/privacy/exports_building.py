"""Building exports in the background: claim, gather, zip, encrypt, store, email the link.

A builder claims a pending export with a conditional UPDATE that also erases the notes key
waiting on the row, so the key is at rest only between the request and the claim, and only
one builder (of several app processes) gets it. The ZIP is encrypted under a key derived
from a fresh download token; the row keeps the token's hash, the email carries the token
(through the outbox, which encrypts it and erases it once sent). A builder that dies
mid-build lets go when its lease passes; the export is then failed (the key is gone with
the builder) and the person asks again.

Links expire after `DATA_EXPORT_LINK_HOURS`; each round erases the ZIPs of expired ones.
"""

from __future__ import annotations

import asyncio
import io
import logging
import zipfile
from datetime import UTC, datetime, timedelta

from nacl.public import PrivateKey
from tortoise.transactions import in_transaction

from crypto import secrets_at_rest
from crypto.tokens import decode_token, derive_key, lookup_hash, new_token
from models.accounts import Account
from models.privacy import DataExport, DataExportStatus
from resolvers.accounts.note_keys import UnlockedNoteKey
from resolvers.core import audit, outbox
from resolvers.core.caller import Caller
from resolvers.privacy import exports_contents
from resolvers.privacy.exports import BLOB_PURPOSE, NOTE_KEY_PURPOSE, TOKEN_PURPOSE, download_url
from settings import Settings

log = logging.getLogger("therapyhub.exports")

BATCH_SIZE = 5
"""Exports are large: a few per round, and the next round at once while more wait."""
GAVE_UP = "The export stopped before it was finished. Ask for a new one."
FAILED = "The export could not be built. Ask for a new one; if it fails again, contact us."


async def build_pending(settings: Settings, *, now: datetime | None = None,
                        limit: int = BATCH_SIZE) -> int:
    """One round: give up on stale builds, erase expired ZIPs, build what waits.

    Returns how many exports this call claimed. Tests call it directly; the app in a loop.
    """
    now = now or datetime.now(UTC)
    await DataExport.filter(status=DataExportStatus.BUILDING, claimed_until__lt=now).update(
        status=DataExportStatus.FAILED, failure=GAVE_UP, claimed_until=None,
        pending_note_key=None, pending_note_key_version=None)
    await DataExport.filter(status=DataExportStatus.READY, expires_at__lte=now).update(
        status=DataExportStatus.EXPIRED, blob=None)
    waiting = await DataExport.filter(status=DataExportStatus.PENDING).order_by(
        "requested_at").limit(limit)
    claimed = 0
    for export in waiting:
        taken = await DataExport.filter(id=export.id, status=DataExportStatus.PENDING).update(
            status=DataExportStatus.BUILDING, pending_note_key=None,
            pending_note_key_version=None,
            claimed_until=now + timedelta(minutes=settings.data_export_lease_minutes))
        if not taken:
            continue
        claimed += 1
        await _build(settings, export, _note_key(settings, export))
    return claimed


def _note_key(settings: Settings, export: DataExport) -> UnlockedNoteKey | None:
    """The notes key the request left, checked to belong to this export."""
    if export.pending_note_key is None or export.pending_note_key_version is None:
        return None
    try:
        plain = secrets_at_rest.decrypt(settings.secret_key, export.pending_note_key,
                                        purpose=NOTE_KEY_PURPOSE)
    except secrets_at_rest.UndecryptableError:
        return None
    if plain[:16] != export.id.bytes:
        return None
    return UnlockedNoteKey(private_key=PrivateKey(plain[16:]),
                           version=export.pending_note_key_version)


async def _build(settings: Settings, export: DataExport, note_key: UnlockedNoteKey | None
                 ) -> None:
    account = await Account.get(id=export.account_id)
    now = datetime.now(UTC)
    try:
        contents = await exports_contents.gather(settings, account, note_key, now=now)
        archive = await asyncio.to_thread(_zip, contents.files)
    except Exception:
        log.exception("export %s could not be built", export.id)
        await DataExport.filter(id=export.id, status=DataExportStatus.BUILDING).update(
            status=DataExportStatus.FAILED, failure=FAILED, claimed_until=None)
        return
    token = new_token()
    raw = decode_token(token)
    assert raw is not None
    blob = await asyncio.to_thread(secrets_at_rest.encrypt, derive_key(
        raw, purpose=BLOB_PURPOSE), archive, purpose=BLOB_PURPOSE)
    expires_at = now + timedelta(hours=settings.data_export_link_hours)
    caller = Caller(settings=settings, account=account, address=export.address)
    async with in_transaction():
        stored = await DataExport.filter(id=export.id, status=DataExportStatus.BUILDING).update(
            status=DataExportStatus.READY, token_hash=lookup_hash(raw, purpose=TOKEN_PURPOSE),
            blob=blob, size_bytes=len(archive), ready_at=now, expires_at=expires_at,
            claimed_until=None)
        if not stored:
            return
        for client_id in sorted(contents.notes_clients):
            await audit.record(caller, "read_notes", subject_type="client",
                               subject_id=client_id, person_id=client_id)
        await outbox.enqueue(settings, to=account.email, template="data_export_ready",
                             locale=account.locale, values={
                                 "name": account.name, "link": download_url(settings, token),
                                 "hours": str(settings.data_export_link_hours)})


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(files.items()):
            archive.writestr(path, data)
    return buffer.getvalue()
