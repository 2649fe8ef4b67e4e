"""A professional's password reset never locks notes by surprise: the link's preview says
whether notes are at stake, and a reset without the recovery key needs the person's yes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from models.account_links import AccountLink
from models.notes import Note, ProfessionalKeys, RetiredNoteKey
from tests.helpers import login, register
from tests.mailbox import token_in
from tests.note_steps import all_notes, practice_with_client, written
from tests.notes_support import raw_rows, register_professional
from tests.reset_steps import NEW_PASSWORD, error_codes, preview, reset, reset_link

NOTHING_TO_SAY = {"data": {"passwordResetPreview": {"valid": False, "notesAtStake": False}}}


async def test_the_preview_says_notes_are_at_stake_only_when_the_key_has_notes(api, mailbox):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id)
    await register_professional(api, "helga@example.com")

    with_notes = await reset_link(api, mailbox, "sigrun@example.com")
    without_notes = await reset_link(api, mailbox, "helga@example.com")
    a_client = await reset_link(api, mailbox, "anna@example.com")

    assert await preview(api, with_notes) == {
        "data": {"passwordResetPreview": {"valid": True, "notesAtStake": True}}}
    for token in (without_notes, a_client):
        assert await preview(api, token) == {
            "data": {"passwordResetPreview": {"valid": True, "notesAtStake": False}}}


async def test_the_preview_answers_alike_for_forged_expired_used_and_wrong_kind_links(
        api, mailbox):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id)
    await mailbox.deliver()
    confirmation = next(token_in(m) for m in mailbox.to("sigrun@example.com")
                        if m["Subject"].startswith("Confirm"))
    used = await reset_link(api, mailbox, "sigrun@example.com")
    assert (await reset(api, used, acceptLockedNotes=True))["passwordChanged"] is True
    expired = await reset_link(api, mailbox, "sigrun@example.com")
    await AccountLink.filter(used_at=None).update(expires_at=datetime.now(UTC)
                                                  - timedelta(seconds=1))

    for token in [used, expired, confirmation, "A" * 43, used[:-2], used + "x", "", "reset-me"]:
        assert await preview(api, token) == NOTHING_TO_SAY, token


async def test_the_preview_changes_nothing_and_tells_nothing_else_about_the_account(
        api, mailbox):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id)
    token = await reset_link(api, mailbox, "sigrun@example.com")
    before = await raw_rows()

    assert (await preview(api, token))["data"]["passwordResetPreview"]["valid"] is True

    assert await raw_rows() == before
    sdl = Path(__file__).parent.parent.joinpath("schema.graphql").read_text()
    [fields] = re.findall(r"type PasswordResetPreview \{(.*?)\}", sdl, re.DOTALL)
    assert re.findall(r"^\s+(\w+):", fields, re.MULTILINE) == ["valid", "notesAtStake"]


async def test_a_reset_without_the_recovery_key_is_refused_while_notes_are_at_stake(
        api, mailbox):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id, title="Fyrsti tími")
    token = await reset_link(api, mailbox, "sigrun@example.com")
    before = await raw_rows()

    for empty in ({}, {"noteRecoveryKey": None}, {"noteRecoveryKey": "  "},
                  {"acceptLockedNotes": False}):
        refused = await reset(api, token, **empty)
        assert refused["passwordChanged"] is False
        assert error_codes(refused) == [("noteRecoveryKey", "NOTES_AT_STAKE")]
        assert "Enter the recovery key" in refused["userErrors"][0]["message"]

    assert await raw_rows() == before
    assert await preview(api, token) == {
        "data": {"passwordResetPreview": {"valid": True, "notesAtStake": True}}}
    [note] = await all_notes(api, practice.token, practice.client_id)
    assert (note["state"], note["title"]) == ("OPEN", "Fyrsti tími")


async def test_confirmed_the_reset_locks_the_notes_and_says_so(api, mailbox):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id)
    token = await reset_link(api, mailbox, "sigrun@example.com")

    answer = await reset(api, token, acceptLockedNotes=True)

    assert answer["userErrors"] == []
    assert (answer["passwordChanged"], answer["notesKept"]) == (True, False)
    assert "are locked" in answer["notesMessage"]
    assert answer["noteRecoveryKey"] not in (None, practice.recovery_key)
    signed_in = (await login(api, "sigrun@example.com", NEW_PASSWORD))["token"]
    [note] = await all_notes(api, signed_in, practice.client_id)
    assert (note["state"], note["title"]) == ("UNREADABLE", None)
    assert "recover your old notes" in note["problem"]
    assert await preview(api, token) == {
        "data": {"passwordResetPreview": {"valid": False, "notesAtStake": False}}}


async def test_with_the_recovery_key_no_confirmation_is_needed_and_notes_stay_open(
        api, mailbox):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id, title="Fyrsti tími")
    token = await reset_link(api, mailbox, "sigrun@example.com")

    answer = await reset(api, token, noteRecoveryKey=practice.recovery_key)

    assert (answer["passwordChanged"], answer["notesKept"], answer["userErrors"]) == (
        True, True, [])
    signed_in = (await login(api, "sigrun@example.com", NEW_PASSWORD))["token"]
    [note] = await all_notes(api, signed_in, practice.client_id)
    assert (note["state"], note["title"]) == ("OPEN", "Fyrsti tími")
    assert await RetiredNoteKey.all().count() == 0


async def test_without_notes_at_stake_no_confirmation_is_asked(api, mailbox):
    await register_professional(api, "helga@example.com")
    await register(api, "anna@example.com")

    for email in ("helga@example.com", "anna@example.com"):
        token = await reset_link(api, mailbox, email)
        answer = await reset(api, token)
        assert (answer["passwordChanged"], answer["userErrors"]) == (True, []), email


async def test_a_reset_that_locks_notes_keeps_the_old_keys_recovery_wrap(api, mailbox):
    practice = await practice_with_client(api)
    await written(api, practice.token, practice.client_id)
    old = await ProfessionalKeys.get()
    token = await reset_link(api, mailbox, "sigrun@example.com")

    assert (await reset(api, token, acceptLockedNotes=True))["passwordChanged"] is True

    [retired] = await RetiredNoteKey.all().values()
    assert (retired["account_id"], retired["key_version"], bytes(retired["public_key"]),
            bytes(retired["recovery_wrapped"])) == (
        old.account_id, 1, bytes(old.public_key), bytes(old.recovery_wrapped))
    current = await ProfessionalKeys.get()
    assert current.key_version == 2
    assert bytes(current.public_key) != bytes(old.public_key)
    assert bytes(current.recovery_wrapped) != bytes(old.recovery_wrapped)
    assert await Note.filter(key_version=1).count() == 1
