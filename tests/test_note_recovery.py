"""Notes locked by a password reset without the recovery key open again when the professional
finds that recovery key later: recoverOldNotes re-seals them to the current key, all at once."""

from __future__ import annotations

from dataclasses import dataclass

from models.audit import AuditEntry
from models.notes import Note, ProfessionalKeys, RetiredNoteKey
from tests.helpers import login
from tests.note_steps import DELETE, Practice, all_notes, practice_with_client, written
from tests.notes_support import raw_rows, register_professional
from tests.reset_steps import NEW_PASSWORD, error_codes, recover, reset, reset_link
from tests.reset_steps import RECOVER as RECOVER_QUERY

OTHER_PASSWORD = "yet another passphrase"


@dataclass(frozen=True)
class Locked:
    practice: Practice
    token: str
    """A sign-in with the new password, so with the new notes key unlocked."""
    new_recovery_key: str


async def _notes_locked_by_a_reset(api, mailbox) -> Locked:
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id, date="2026-11-02", title="Fyrsti")
    await written(api, practice.token, practice.client_id, date="2026-11-09", title="Annar")
    link = await reset_link(api, mailbox, "sigrun@example.com")
    answer = await reset(api, link, acceptLockedNotes=True)
    assert answer["userErrors"] == []
    token = (await login(api, "sigrun@example.com", NEW_PASSWORD))["token"]
    return Locked(practice, token, answer["noteRecoveryKey"])


def _states(notes):
    return [(n["state"], n["title"]) for n in notes]


async def test_the_old_recovery_key_opens_the_locked_notes_again(api, mailbox):
    locked = await _notes_locked_by_a_reset(api, mailbox)
    client_id = locked.practice.client_id
    await written(api, locked.token, client_id, date="2026-11-16", title="Eftir")
    assert _states(await all_notes(api, locked.token, client_id)) == [
        ("OPEN", "Eftir"), ("UNREADABLE", None), ("UNREADABLE", None)]

    answer = await recover(api, locked.token, locked.practice.recovery_key)

    assert answer == {"notesRecovered": 2, "userErrors": []}
    assert _states(await all_notes(api, locked.token, client_id)) == [
        ("OPEN", "Eftir"), ("OPEN", "Annar"), ("OPEN", "Fyrsti")]
    other_device = (await login(api, "sigrun@example.com", NEW_PASSWORD))["token"]
    assert _states(await all_notes(api, other_device, client_id))[2] == ("OPEN", "Fyrsti")
    assert set(await Note.all().values_list("key_version", flat=True)) == {2}
    assert await RetiredNoteKey.all().count() == 0
    assert (await ProfessionalKeys.get()).key_version == 2
    assert await AuditEntry.filter(action="recover_old_notes").count() == 1


async def test_a_wrong_mistyped_or_current_recovery_key_changes_nothing(api, mailbox):
    locked = await _notes_locked_by_a_reset(api, mailbox)
    _, someone_elses = await register_professional(api, "helga@example.com")
    last = locked.practice.recovery_key[-1]
    typo = locked.practice.recovery_key[:-1] + ("7" if last != "7" else "8")
    before = await raw_rows()

    assert error_codes(await recover(api, locked.token, typo)) == [
        ("noteRecoveryKey", "INVALID_INPUT")]
    assert error_codes(await recover(api, locked.token, someone_elses)) == [
        ("noteRecoveryKey", "INVALID_CREDENTIALS")]
    current = await recover(api, locked.token, locked.new_recovery_key)
    assert error_codes(current) == [("noteRecoveryKey", "INVALID_INPUT")]
    assert "current notes key" in current["userErrors"][0]["message"]

    assert await raw_rows() == before
    assert (await recover(api, locked.token, locked.practice.recovery_key)
            )["notesRecovered"] == 2


async def test_a_damaged_locked_note_stops_the_recovery_and_nothing_is_resealed(api, mailbox):
    locked = await _notes_locked_by_a_reset(api, mailbox)
    first, second = await Note.all().order_by("about_date")
    await Note.filter(id=first.id).update(sealed=second.sealed)
    before = await raw_rows()

    refused = await recover(api, locked.token, locked.practice.recovery_key)

    assert refused["notesRecovered"] is None
    assert error_codes(refused) == [(None, "NOTE_UNREADABLE")]
    assert "note of 2026-11-02 is damaged" in refused["userErrors"][0]["message"]
    assert "recover your old notes again" in refused["userErrors"][0]["message"]
    assert await raw_rows() == before
    deleted = await api.data(DELETE, {"input": {"noteId": _note_id(await all_notes(
        api, locked.token, locked.practice.client_id), "2026-11-02")}}, token=locked.token)
    assert deleted["deleteNote"]["userErrors"] == []
    assert (await recover(api, locked.token, locked.practice.recovery_key)
            )["notesRecovered"] == 1


async def test_notes_locked_two_resets_ago_open_with_their_own_recovery_key(api, mailbox):
    locked = await _notes_locked_by_a_reset(api, mailbox)
    second_link = await reset_link(api, mailbox, "sigrun@example.com")
    answer = await reset(api, second_link, newPassword=OTHER_PASSWORD)
    assert (answer["passwordChanged"], answer["userErrors"]) == (True, [])
    token = (await login(api, "sigrun@example.com", OTHER_PASSWORD))["token"]
    assert sorted(await RetiredNoteKey.all().values_list("key_version", flat=True)) == [1, 2]

    assert await recover(api, token, locked.new_recovery_key) == {
        "notesRecovered": 0, "userErrors": []}
    assert (await recover(api, token, locked.practice.recovery_key))["notesRecovered"] == 2

    assert _states(await all_notes(api, token, locked.practice.client_id)) == [
        ("OPEN", "Annar"), ("OPEN", "Fyrsti")]
    assert set(await Note.all().values_list("key_version", flat=True)) == {3}
    assert await RetiredNoteKey.all().count() == 0


async def test_recovering_needs_a_professional_sign_in_with_the_notes_key(api, mailbox):
    locked = await _notes_locked_by_a_reset(api, mailbox)
    before = await raw_rows()

    signed_out = await api(RECOVER_QUERY, {"input": {
        "noteRecoveryKey": locked.practice.recovery_key}})
    as_client = await api(RECOVER_QUERY, {"input": {
        "noteRecoveryKey": locked.practice.recovery_key}}, token=locked.practice.client_token)

    for body in (signed_out, as_client):
        assert body["data"] is None or body["data"]["recoverOldNotes"] is None
        assert body["errors"]
    assert await raw_rows() == before


def _note_id(notes, about_date: str) -> str:
    return next(n["id"] for n in notes if n["aboutDate"] == about_date)


async def test_deleting_the_last_locked_note_deletes_the_key_kept_for_it(api, mailbox):
    locked = await _notes_locked_by_a_reset(api, mailbox)
    client_id = locked.practice.client_id
    for day in ("2026-11-02", "2026-11-09"):
        assert await RetiredNoteKey.all().count() == 1
        deleted = await api.data(DELETE, {"input": {"noteId": _note_id(
            await all_notes(api, locked.token, client_id), day)}}, token=locked.token)
        assert deleted["deleteNote"]["userErrors"] == []
    assert await RetiredNoteKey.all().count() == 0
    assert error_codes(await recover(api, locked.token, locked.practice.recovery_key))
