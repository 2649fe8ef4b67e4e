"""What the database holds of notes, and what survives tampering, rotation and resets: moved
ciphertexts show as damaged, raw rows and the server key open nothing, every note stays
readable through password changes, resets with the recovery key and rotations."""

from __future__ import annotations

import base64
import hashlib

import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from crypto.tokens import derive_key
from models.accounts import LoginSession
from models.notes import Note, SessionNoteKey
from resolvers.accounts import note_keys
from resolvers.core.caller import Caller
from resolvers.core.errors import PublicError
from resolvers.core.pagination import FIRST_PAGE
from resolvers.notes import note_reading
from tests.helpers import PASSWORD, login
from tests.mailbox import token_in
from tests.note_steps import (
    UPDATE,
    all_notes,
    client_profile_id,
    practice_with_client,
    written,
)
from tests.notes_support import caller_for, raw_rows
from tests.practice_steps import APPROVE, codes, request

ROTATE = """
mutation($input: RotateNoteKeyInput!) {
  rotateNoteKey(input: $input) { keyVersion notesResealed userErrors { field message code } }
}"""
REQUEST_RESET = """
mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { accepted }
}"""
RESET = """
mutation($input: ResetPasswordInput!) {
  resetPassword(input: $input) {
    passwordChanged notesKept notesMessage noteRecoveryKey userErrors { field message code }
  }
}"""
NEW_PASSWORD = "a fresh new passphrase"
SECRET_TITLE = "Trúnaðarmál Önnu"
SECRET_BODY = "Anna sagði frá kvíðanum í vinnunni. 😟 Næst: svefndagbók."


async def _copy_sealed(source_id: str, target_id: str) -> None:
    source = await Note.get(id=_uuid(source_id))
    await Note.filter(id=_uuid(target_id)).update(sealed=source.sealed,
                                                  key_version=source.key_version)


def _uuid(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":", 1)[1]


async def test_a_ciphertext_copied_to_another_note_of_the_client_shows_as_damaged(api):
    practice = await practice_with_client(api)
    source = await written(api, practice.token, practice.client_id, date="2026-11-02",
                           title="Source", body="The source note.")
    target = await written(api, practice.token, practice.client_id, date="2026-11-01",
                           title="Target", body="The target note.")

    await _copy_sealed(source["id"], target["id"])

    [still_source, damaged] = await all_notes(api, practice.token, practice.client_id)
    assert still_source == source
    assert (damaged["id"], damaged["state"], damaged["title"], damaged["body"]) == (
        target["id"], "DAMAGED", None, None)
    assert "damaged" in damaged["problem"]


async def test_a_ciphertext_copied_to_a_note_about_another_client_shows_as_damaged(api):
    practice = await practice_with_client(api)
    second = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")
    other_client = await _second_client_of(api, practice, second.client_token)
    about_anna = await written(api, practice.token, practice.client_id, body="About Anna.")
    about_bjorn = await written(api, practice.token, other_client, body="About Björn.")

    await _copy_sealed(about_anna["id"], about_bjorn["id"])

    [damaged] = await all_notes(api, practice.token, other_client)
    assert (damaged["state"], damaged["body"]) == ("DAMAGED", None)
    assert await all_notes(api, practice.token, practice.client_id) == [about_anna]


async def test_a_ciphertext_from_another_professional_or_a_changed_version_shows_as_damaged(
    api
):
    practice = await practice_with_client(api)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")
    mine = await written(api, practice.token, practice.client_id, title="mine")
    versioned = await written(api, practice.token, practice.client_id, title="versioned")
    theirs = await written(api, other.token, other.client_id)

    await _copy_sealed(theirs["id"], mine["id"])
    await Note.filter(id=_uuid(versioned["id"])).update(key_version=2)

    states = {n["id"]: n["state"] for n in await all_notes(api, practice.token,
                                                            practice.client_id)}
    assert states == {mine["id"]: "DAMAGED", versioned["id"]: "DAMAGED"}


async def test_raw_rows_hold_no_note_text_title_or_private_key(api, settings):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id, title=SECRET_TITLE, body=SECRET_BODY)
    private_key = (await note_keys.caller_note_key(
        await caller_for(settings, practice.token))).private_key
    secrets: list[bytes] = [bytes(private_key)]
    for text in [SECRET_TITLE, SECRET_BODY, "kvíðanum", "svefndagbók", "Trúnaðarmál"]:
        secrets += [text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be")]

    cells = await raw_rows()

    assert "note" in {table for table, _, _ in cells}
    for secret in secrets:
        for spelling in [secret, secret.hex().encode(), base64.b64encode(secret),
                         base64.urlsafe_b64encode(secret).rstrip(b"=")]:
            leaks = [(t, c) for t, c, value in cells if spelling in _bytes_of(value)]
            assert leaks == []


async def test_a_copy_of_the_database_and_the_secret_key_opens_no_note(api, settings):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id, title=SECRET_TITLE, body=SECRET_BODY)
    cells = await raw_rows()
    sealed = [bytes(v)[5:] for t, c, v in cells if (t, c) == ("note", "sealed")]
    assert len(sealed) == 1

    for candidate in _candidate_keys(settings.secret_key, cells):
        for box in sealed:
            with pytest.raises(CryptoError):
                SealedBox(PrivateKey(candidate)).decrypt(box)

    # The server's own reading path, given the token's hash from the dump instead of the token.
    session = await LoginSession.get(id=(await SessionNoteKey.get()).login_session_id
                                     ).select_related("account")
    from_dump = Caller(settings=settings, account=session.account, login_session=session,
                       token_raw=bytes.fromhex(session.token_hash))
    note = await Note.get()
    with pytest.raises(PublicError) as raised:
        await note_reading.client_notes(from_dump, note.client_id, request=FIRST_PAGE,
                                        date_from=None, date_to=None, search=None)
    assert raised.value.code.value == "NOTES_LOCKED"


async def test_rotation_reseals_every_note_and_every_note_stays_readable(api):
    practice = await practice_with_client(api)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")
    second_client = await _second_client_of(api, practice, other.client_token)
    for day in range(1, 8):
        await written(api, practice.token, practice.client_id, date=f"2026-10-{day:02}",
                      title=f"Tími {day}", body=f"Færsla {day} 🌿")
    await written(api, practice.token, second_client, body="Björn.")
    theirs = await written(api, other.token, other.client_id)
    before_notes = await all_notes(api, practice.token, practice.client_id)
    before = {n.id: bytes(n.sealed) for n in await Note.all()}

    rotated = (await api.data(ROTATE, {"input": {"password": PASSWORD}},
                              token=practice.token))["rotateNoteKey"]

    assert rotated == {"keyVersion": 2, "notesResealed": 8, "userErrors": []}
    after = {n.id: (bytes(n.sealed), n.key_version) for n in await Note.all()}
    theirs_id = _uuid(theirs["id"])
    assert all(after[i][0] != before[i] and after[i][1] == 2
               for i in before if str(i) != theirs_id)
    assert after[next(i for i in before if str(i) == theirs_id)] == (
        before[next(i for i in before if str(i) == theirs_id)], 1)
    assert await all_notes(api, practice.token, practice.client_id) == before_notes
    assert [n["body"] for n in await all_notes(api, practice.token, second_client)] == [
        "Björn."]
    assert await all_notes(api, other.token, other.client_id) == [theirs]


async def test_a_damaged_note_stops_a_rotation_which_then_changes_nothing(api):
    practice = await practice_with_client(api)
    source = await written(api, practice.token, practice.client_id, title="a")
    target = await written(api, practice.token, practice.client_id, title="b",
                           date="2026-10-10")
    await _copy_sealed(source["id"], target["id"])
    before = {n.id: bytes(n.sealed) for n in await Note.all()}

    refused = (await api.data(ROTATE, {"input": {"password": PASSWORD}},
                              token=practice.token))["rotateNoteKey"]

    [error] = refused["userErrors"]
    assert error["code"] == "NOTE_UNREADABLE"
    assert "2026-10-10" in error["message"]
    assert "delete it" in error["message"]
    assert {n.id: bytes(n.sealed) for n in await Note.all()} == before
    assert [n["state"] for n in await all_notes(api, practice.token, practice.client_id)] == [
        "OPEN", "DAMAGED"]


async def test_reset_with_the_recovery_key_keeps_every_note_readable(api, mailbox):
    practice = await practice_with_client(api)
    notes = [await written(api, practice.token, practice.client_id, date=f"2026-11-0{d}",
                           body=f"Note {d}") for d in (1, 2)]

    answer = await _reset_password(api, mailbox, practice.email, practice.recovery_key)

    assert (answer["passwordChanged"], answer["notesKept"]) == (True, True)
    token = (await login(api, practice.email, NEW_PASSWORD))["token"]
    assert await all_notes(api, token, practice.client_id) == notes[::-1]


async def test_reset_without_the_recovery_key_leaves_old_notes_unreadable_and_new_ones_work(
    api, mailbox
):
    practice = await practice_with_client(api)
    old = await written(api, practice.token, practice.client_id, date="2026-11-01",
                        body="Before the reset.")

    answer = await _reset_password(api, mailbox, practice.email, None)

    assert (answer["passwordChanged"], answer["notesKept"]) == (True, False)
    token = (await login(api, practice.email, NEW_PASSWORD))["token"]
    new = await written(api, token, practice.client_id, date="2026-11-02",
                        body="After the reset.")
    [read_new, read_old] = await all_notes(api, token, practice.client_id)
    assert read_new == new
    assert (read_old["id"], read_old["state"], read_old["body"]) == (
        old["id"], "UNREADABLE", None)
    assert "reset without the recovery key" in read_old["problem"]
    assert "opens again only if you recover your old notes" in read_old["problem"]

    # Rotation leaves it as it is (it re-seals what the current key opens) ...
    rotated = (await api.data(ROTATE, {"input": {"password": NEW_PASSWORD}},
                              token=token))["rotateNoteKey"]
    assert (rotated["notesResealed"], rotated["userErrors"]) == (1, [])
    # ... and it can be replaced as a whole, but not changed in part.
    partial = (await api.data(UPDATE, {"input": {"noteId": old["id"], "body": "Rewritten"}},
                              token=token))["updateNote"]
    assert codes(partial) == ["NOTE_UNREADABLE"]
    assert "give both a title and a body" in partial["userErrors"][0]["message"]
    replaced = (await api.data(UPDATE, {"input": {"noteId": old["id"], "title": "Aftur",
                                                  "body": "Rewritten"}},
                               token=token))["updateNote"]
    assert (replaced["note"]["state"], replaced["note"]["body"]) == ("OPEN", "Rewritten")


async def _reset_password(api, mailbox, email: str, recovery_key: str | None) -> dict:
    await api.data(REQUEST_RESET, {"input": {"email": email}})
    await mailbox.deliver()
    link_token = token_in(mailbox.last(email))
    answer = (await api.data(RESET, {"input": {
        "token": link_token, "newPassword": NEW_PASSWORD, "noteRecoveryKey": recovery_key,
        "acceptLockedNotes": recovery_key is None,
    }}))["resetPassword"]
    assert answer["userErrors"] == []
    return answer


async def _second_client_of(api, practice, client_token: str) -> str:
    """Make the person behind `client_token` a client of `practice` too; their profile id."""
    engagement = (await request(api, client_token, practice.service))["engagement"]
    await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}}, token=practice.token)
    viewer = (await api.data("{ viewer { email } }", token=client_token))["viewer"]
    return await client_profile_id(api, practice.token, viewer["email"])


def _bytes_of(value: object) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode()


def _candidate_keys(server_key: bytes, cells) -> list[bytes]:
    """Every 32-byte private key someone holding the database and SECRET_KEY could try first."""
    candidates = [server_key[:32].ljust(32, b"\0"), hashlib.sha256(server_key).digest()]
    purposes = ["notes", "note", "registration", "totp-secret", "login-session",
                note_keys.SESSION_KEY_PURPOSE, note_keys.CHALLENGE_KEY_PURPOSE]
    for purpose in purposes:
        candidates.append(hashlib.blake2b(server_key, digest_size=32,
                                          person=purpose.encode()).digest())
    for _, column, value in cells:
        if isinstance(value, (bytes, memoryview)) and len(bytes(value)) == 32:
            candidates.append(bytes(value))
        if column == "token_hash":
            as_bytes = bytes.fromhex(value)
            candidates.append(as_bytes)
            candidates.extend(derive_key(as_bytes, purpose=p) for p in purposes)
    return candidates
