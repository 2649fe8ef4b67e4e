"""Who gets a client's notes: their author only. Everyone else gets what a missing id gets, a
sign-in that no longer holds the key gets NOTES_LOCKED, and every read is in the audit log."""

from __future__ import annotations

from strawberry import relay

from models.audit import AuditEntry
from models.notes import Note
from tests.helpers import PASSWORD, login
from tests.note_steps import (
    DELETE,
    NOTE_NODE,
    NOTES,
    PROFILE,
    UPDATE,
    all_notes,
    notes_page,
    practice_with_client,
    write,
    written,
)
from tests.practice_steps import codes

CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { userErrors { field message code } }
}"""
ROTATE = """
mutation($input: RotateNoteKeyInput!) {
  rotateNoteKey(input: $input) { notesResealed userErrors { field message code } }
}"""


async def test_nobody_but_the_author_gets_the_profile_or_the_notes(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")
    # Anna is a client of Helga too: Helga opens Anna's profile, but sees only her own notes.
    shared = await practice_with_client(api, "helga@example.com",
                                        client_token=practice.client_token)
    assert shared.client_id == practice.client_id

    for token in [other.token, practice.client_token, None]:
        for query in [NOTES, PROFILE]:
            assert (await api.data(query, {"id": practice.client_id}, token=token)
                    )["clientProfile"] is None
    for token in [other.token, shared.token, practice.client_token, None]:
        assert (await api.data(NOTE_NODE, {"id": note["id"]}, token=token))["node"] is None

    assert await all_notes(api, shared.token, shared.client_id) == []
    assert await all_notes(api, practice.token, practice.client_id) == [note]


async def test_a_stranger_answers_exactly_like_an_id_that_does_not_exist(api):
    practice = await practice_with_client(api)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")
    random_id = relay.to_base64("ClientProfile", "6f1c1a52-4d49-4c55-9a8e-0c1d6e2b3f41")

    answers = [await api(NOTES, {"id": client_id}, token=practice.token)
               for client_id in [other.client_id, random_id, "garbage", practice.service["id"]]]

    assert answers == [{"data": {"clientProfile": None}}] * 4


async def test_other_people_cannot_write_change_or_delete_a_professionals_notes(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")

    assert [(e["field"], e["code"]) for e in (await write(
        api, other.token, practice.client_id))["userErrors"]] == [("clientId", "NOT_FOUND")]
    changed = (await api.data(UPDATE, {"input": {"noteId": note["id"], "body": "Mine now"}},
                              token=other.token))["updateNote"]
    deleted = (await api.data(DELETE, {"input": {"noteId": note["id"]}},
                              token=other.token))["deleteNote"]
    assert codes(changed) == codes(deleted) == ["NOT_FOUND"]

    client_write = await api(
        """mutation($input: WriteNoteInput!) { writeNote(input: $input) { note { id } } }""",
        {"input": {"clientId": practice.client_id, "date": "2026-11-20", "body": "x"}},
        token=practice.client_token,
    )
    assert client_write["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    assert await all_notes(api, practice.token, practice.client_id) == [note]
    assert await Note.all().count() == 1


async def test_a_token_from_before_a_password_change_reads_nothing_and_the_new_one_reads_all(
    api
):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)
    old_device = (await login(api, practice.email))["token"]

    changed = (await api.data(CHANGE_PASSWORD, {"input": {
        "currentPassword": PASSWORD, "newPassword": "a brand new passphrase"}},
        token=practice.token))["changePassword"]

    assert changed["userErrors"] == []
    assert await notes_page(api, old_device, practice.client_id) is None
    assert (await api.data(NOTE_NODE, {"id": note["id"]}, token=old_device))["node"] is None
    assert await all_notes(api, practice.token, practice.client_id) == [note]
    fresh = (await login(api, practice.email, "a brand new passphrase"))["token"]
    assert await all_notes(api, fresh, practice.client_id) == [note]


async def test_a_sign_in_whose_key_was_replaced_elsewhere_is_told_to_sign_in_again(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)
    other_device = (await login(api, practice.email))["token"]
    rotated = (await api.data(ROTATE, {"input": {"password": PASSWORD}},
                              token=other_device))["rotateNoteKey"]
    assert rotated["userErrors"] == []

    body = await api(NOTES, {"id": practice.client_id}, token=practice.token)
    assert body["data"]["clientProfile"] == {"notes": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOTES_LOCKED"
    assert "sign in again" in error["message"]
    for locked in [
        await api(NOTE_NODE, {"id": note["id"]}, token=practice.token),
        await api("""mutation($input: WriteNoteInput!) {
                       writeNote(input: $input) { note { id } } }""",
                  {"input": {"clientId": practice.client_id, "date": "2026-11-21",
                             "body": "Nýtt"}}, token=practice.token),
        await api("""mutation($input: DeleteNoteInput!) {
                       deleteNote(input: $input) { deletedNoteId } }""",
                  {"input": {"noteId": note["id"]}}, token=practice.token),
    ]:
        assert locked["errors"][0]["extensions"]["code"] == "NOTES_LOCKED"
    assert await Note.all().count() == 1
    assert await all_notes(api, other_device, practice.client_id) == [note]


async def test_every_read_of_a_clients_notes_is_in_the_audit_log(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")
    before = await AuditEntry.all().order_by("-sequence").first()

    await notes_page(api, practice.token, practice.client_id)
    await api.data(NOTE_NODE, {"id": note["id"]}, token=practice.token)
    await notes_page(api, other.token, practice.client_id)

    reads = await AuditEntry.filter(action="read_notes", sequence__gt=before.sequence
                                    ).order_by("sequence")
    author = (await Note.get()).author_id
    client = (await Note.get()).client_id
    assert [(r.actor_id, r.person_id, r.subject_type, r.subject_id) for r in reads] == [
        (author, client, "client", client)] * 2
    assert all(r.at is not None for r in reads)
    assert await AuditEntry.filter(action="read_client_profile", person_id=client).count() == 1


async def test_writing_changing_and_deleting_are_in_the_audit_log(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)
    await api.data(UPDATE, {"input": {"noteId": note["id"], "title": "Nýr"}},
                   token=practice.token)
    await api.data(DELETE, {"input": {"noteId": note["id"]}}, token=practice.token)

    client = (await AuditEntry.get(action="write_note")).person_id
    actions = [e.action for e in await AuditEntry.filter(
        person_id=client, subject_type="note").order_by("at")]
    assert actions == ["write_note", "update_note", "delete_note"]


async def test_node_shows_the_client_profile_to_their_professional_only(api):
    practice = await practice_with_client(api)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")
    query = "query($id: ID!) { node(id: $id) { __typename id ... on ClientProfile { name } } }"

    found = (await api.data(query, {"id": practice.client_id}, token=practice.token))["node"]

    assert found == {"__typename": "ClientProfile", "id": practice.client_id,
                     "name": "Anna Jónsdóttir"}
    for token in [other.token, practice.client_token, None]:
        assert (await api.data(query, {"id": practice.client_id}, token=token))["node"] is None
