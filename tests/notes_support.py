"""Steps the notes-key tests share: registering a professional, acting as a token's holder,
sealing and opening a sample note, and reading every raw row of the database."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tortoise import Tortoise

from crypto.notes import NoteIds, NoteText, open_note, seal_note
from models.accounts import Account
from resolvers.accounts.note_keys import caller_note_key, sealing_key
from resolvers.accounts.signin import authenticate
from resolvers.core.caller import Caller
from settings import Settings
from tests.helpers import PASSWORD, register_and_sign_in

SAMPLE = NoteText(title="Fyrsti tími", body="Þórunn talaði um svefninn. 😴 Næst: öndunaræfingar.")


async def register_professional(api: Any, email: str, *, password: str = PASSWORD
                                ) -> tuple[str, str]:
    """(bearer token, notes recovery key) of a newly registered professional: the key is made
    and shown at the first sign-in."""
    signed_in = await register_and_sign_in(api, email, name="Sigrún Jónsdóttir",
                                           roles=("PROFESSIONAL",), password=password)
    return signed_in["token"], signed_in["noteRecoveryKey"]


async def caller_for(settings: Settings, token: str | None) -> Caller:
    """The Caller the API builds for a request carrying this bearer token."""
    return await authenticate(settings, token, Caller(settings=settings))


async def seal_sample(email: str) -> tuple[bytes, NoteIds]:
    """A note sealed to the professional's current public key, as writing a note will."""
    account = await Account.get(email=email)
    key = await sealing_key(account)
    ids = NoteIds(note_id=uuid4(), client_id=uuid4(), author_id=account.id)
    return seal_note(key.public_key, key_version=key.version, ids=ids, text=SAMPLE), ids


async def open_as(settings: Settings, token: str, sealed: bytes, ids: NoteIds) -> NoteText:
    """Open a note the way reading notes will: with the key this token's sign-in holds."""
    key = await caller_note_key(await caller_for(settings, token))
    return open_note(key.private_key, sealed, key_version=key.version, ids=ids)


async def raw_rows() -> list[tuple[str, str, Any]]:
    """(table, column, value) for every cell of every table, read with plain SQL."""
    assert Tortoise.apps is not None
    cells = []
    for model in Tortoise.apps.get_models_iterable():
        table = model._meta.db_table
        for row in await model._meta.db.execute_query_dict(f'SELECT * FROM "{table}"'):  # noqa: S608
            cells.extend((table, column, value) for column, value in row.items())
    return cells
