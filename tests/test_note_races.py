"""A note saved while the key is being replaced is never left sealed to a key nobody holds:
the save is refused when the rotation came first, and re-sealed by the rotation when the save
came first (PostgreSQL, where the two really run at once)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date
from uuid import uuid4

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from crypto.notes import NoteIds, NoteText, seal_note
from models.account_links import AccountLink
from models.accounts import Account
from models.notes import Note, ProfessionalKeys, RetiredNoteKey
from resolvers.accounts.note_keys import caller_note_key
from resolvers.core.errors import PublicError
from resolvers.notes import notes
from tests.conftest import ON_POSTGRES
from tests.helpers import PASSWORD, login
from tests.note_steps import all_notes, practice_with_client
from tests.notes_support import caller_for
from tests.reset_steps import error_codes, reset, reset_link

ROTATE = """
mutation($input: RotateNoteKeyInput!) {
  rotateNoteKey(input: $input) { keyVersion notesResealed userErrors { code } }
}"""


async def _sealed_note(settings, token: str, client_email: str) -> Note:
    """A note sealed with the key this sign-in holds now, not yet saved."""
    key = await caller_note_key(await caller_for(settings, token))
    author = (await caller_for(settings, token)).account
    client = await Account.get(email=client_email)
    note = Note(id=uuid4(), author_id=author.id, client_id=client.id,
                about_date=date(2026, 11, 20), key_version=key.version)
    note.sealed = seal_note(key.public_key, key_version=key.version, text=NoteText(
        title="Racing", body="Saved while the key was replaced."),
        ids=NoteIds(note_id=note.id, client_id=client.id, author_id=author.id))
    return note


async def test_a_save_after_a_rotation_elsewhere_is_refused_and_stores_nothing(api, settings):
    practice = await practice_with_client(api)
    key = await caller_note_key(await caller_for(settings, practice.token))
    note = await _sealed_note(settings, practice.token, practice.client_email)
    other_device = (await login(api, practice.email))["token"]
    assert (await api.data(ROTATE, {"input": {"password": PASSWORD}}, token=other_device)
            )["rotateNoteKey"]["keyVersion"] == 2

    author = await Account.get(email=practice.email)
    with pytest.raises(PublicError) as raised:
        await _save_as_writing_does(author, key, note)

    assert raised.value.code.value == "NOTES_LOCKED"
    assert await Note.all().count() == 0


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite runs one writer at a time")
async def test_a_rotation_waits_for_a_save_in_progress_and_reseals_that_note(
    api, settings, database_url
):
    practice = await practice_with_client(api)
    note = await _sealed_note(settings, practice.token, practice.client_email)
    author = await Account.get(email=practice.email)
    key = await caller_note_key(await caller_for(settings, practice.token))
    other_device = (await login(api, practice.email))["token"]
    saved, release = asyncio.Event(), asyncio.Event()

    async def save() -> None:
        await _save_as_writing_does(author, key, note, saved=saved, release=release)

    async def rotate() -> dict:
        await saved.wait()
        return (await api.data(ROTATE, {"input": {"password": PASSWORD}},
                               token=other_device))["rotateNoteKey"]

    saving, rotating = asyncio.create_task(save()), asyncio.create_task(rotate())
    try:
        await asyncio.wait_for(_until_a_query_waits_for_a_lock(database_url), timeout=60)
    finally:
        release.set()
        await saving
        rotated = await asyncio.wait_for(rotating, timeout=60)

    assert rotated == {"keyVersion": 2, "notesResealed": 1, "userErrors": []}
    assert (await Note.get(id=note.id)).key_version == 2
    [read] = await all_notes(api, other_device, practice.client_id)
    assert (read["state"], read["title"]) == ("OPEN", "Racing")


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite runs one writer at a time")
async def test_a_reset_without_the_recovery_key_waits_for_a_save_and_then_refuses(
    api, mailbox, settings, database_url
):
    practice = await practice_with_client(api)
    link = await reset_link(api, mailbox, practice.email)
    note = await _sealed_note(settings, practice.token, practice.client_email)
    author = await Account.get(email=practice.email)
    key = await caller_note_key(await caller_for(settings, practice.token))
    saved, release = asyncio.Event(), asyncio.Event()

    async def save() -> None:
        await _save_as_writing_does(author, key, note, saved=saved, release=release)

    async def reset_meanwhile() -> dict:
        await saved.wait()
        return await reset(api, link)

    saving, resetting = asyncio.create_task(save()), asyncio.create_task(reset_meanwhile())
    try:
        await asyncio.wait_for(_until_a_query_waits_for_a_lock(database_url), timeout=60)
    finally:
        release.set()
        await saving
        refused = await asyncio.wait_for(resetting, timeout=60)

    assert error_codes(refused) == [("noteRecoveryKey", "NOTES_AT_STAKE")]
    assert (await ProfessionalKeys.get()).key_version == 1
    assert await RetiredNoteKey.all().count() == 0
    assert await AccountLink.filter(purpose="reset_password", used_at=None).count() == 1
    [read] = await all_notes(api, practice.token, practice.client_id)
    assert (read["state"], read["title"]) == ("OPEN", "Racing")


async def _save_as_writing_does(author: Account, key, note: Note, *,
                                saved: asyncio.Event | None = None,
                                release: asyncio.Event | None = None) -> None:
    """writeNote's transaction, optionally held open after the insert until `release`."""
    async with in_transaction():
        await notes.require_current_key(author, key)
        await note.save(force_create=True)
        if saved and release:
            saved.set()
            await release.wait()


async def _until_a_query_waits_for_a_lock(database_url: str) -> None:
    """Returns once another connection is blocked on a row lock (the rotation's UPDATE)."""
    connection = await asyncpg.connect(database_url)
    try:
        for _ in itertools.count():
            if await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ):
                return
            await asyncio.sleep(0.02)
    finally:
        await connection.close()
