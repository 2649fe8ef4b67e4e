"""The notes key at a password reset, called as the reset use case will call it: with the
recovery key the notes stay readable, without it old notes stay sealed and new ones work."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from crypto.notes import SealedForAnotherKeyError, open_note
from models.accounts import Account
from models.notes import Note, ProfessionalKeys, RetiredNoteKey, SessionNoteKey
from resolvers.accounts import note_keys, signin
from resolvers.accounts.note_key_reset import apply_note_key_reset, prepare_note_key_reset
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, PublicError, UserErrors
from tests.helpers import register
from tests.notes_support import SAMPLE, open_as, raw_rows, register_professional, seal_sample

NEW_PASSWORD = "a brand new passphrase"


async def _reset(settings, email: str, recovery_key: str | None, *, accept: bool = False):
    caller = Caller(settings=settings, address="203.0.113.7")
    account = await Account.get(email=email)
    prepared = await prepare_note_key_reset(caller, account, new_password=NEW_PASSWORD,
                                            recovery_key=recovery_key, accept_locked_notes=accept)
    async with in_transaction():
        return await apply_note_key_reset(caller, account, prepared)


async def _key_from_new_password(settings, email: str):
    account = await Account.get(email=email)
    return await note_keys.unlock_with_password(Caller(settings=settings), account, NEW_PASSWORD)


async def test_reset_with_the_recovery_key_keeps_every_note_readable(api, settings):
    token, recovery_key = await register_professional(api, "sigrun@example.com")
    sealed, ids = await seal_sample("sigrun@example.com")
    before = await ProfessionalKeys.get()
    copied_by_hand = f"  {recovery_key.lower().replace('-', ' ')} "

    outcome = await _reset(settings, "sigrun@example.com", copied_by_hand)

    assert outcome.notes_kept is True
    assert outcome.recovery_key is None
    assert outcome.message == "Your notes are safe: they open with your new password."
    after = await ProfessionalKeys.get()
    assert (after.public_key, after.key_version) == (before.public_key, before.key_version)
    key = await _key_from_new_password(settings, "sigrun@example.com")
    assert open_note(key.private_key, sealed, key_version=key.version, ids=ids) == SAMPLE
    assert await SessionNoteKey.all().count() == 0
    with pytest.raises(PublicError):
        await open_as(settings, token, sealed, ids)


async def test_reset_without_the_recovery_key_says_old_notes_are_lost_and_new_ones_work(
    api, settings
):
    await register_professional(api, "sigrun@example.com")
    old_sealed, old_ids = await seal_sample("sigrun@example.com")

    outcome = await _reset(settings, "sigrun@example.com", None)

    assert outcome.notes_kept is False
    assert "notes you wrote before this reset are locked" in outcome.message
    assert "find that recovery key later" in outcome.message
    assert "Notes you write from now on work as before" in outcome.message
    assert outcome.recovery_key is not None
    key = await _key_from_new_password(settings, "sigrun@example.com")
    assert key.version == 2
    with pytest.raises(SealedForAnotherKeyError):
        open_note(key.private_key, old_sealed, key_version=key.version, ids=old_ids)
    new_sealed, new_ids = await seal_sample("sigrun@example.com")
    assert open_note(key.private_key, new_sealed, key_version=2, ids=new_ids) == SAMPLE


async def test_the_unlocked_key_from_a_reset_can_start_a_readable_session(api, settings):
    await register_professional(api, "sigrun@example.com")
    outcome = await _reset(settings, "sigrun@example.com", "")
    account = await Account.get(email="sigrun@example.com")
    caller = Caller(settings=settings)

    signed_in = await signin.start_session(caller, account, note_key=outcome.unlocked)

    sealed, ids = await seal_sample("sigrun@example.com")
    assert await open_as(settings, signed_in.token, sealed, ids) == SAMPLE


async def test_a_recovery_key_with_a_typo_is_a_user_error_and_changes_nothing(api, settings):
    _, recovery_key = await register_professional(api, "sigrun@example.com")
    before = await ProfessionalKeys.get()
    last = recovery_key[-1]
    typo = recovery_key[:-1] + ("7" if last != "7" else "8")

    with pytest.raises(UserErrors) as raised:
        await _reset(settings, "sigrun@example.com", typo)

    [error] = raised.value.errors
    assert (error.field, error.code) == ("noteRecoveryKey", ErrorCode.INVALID_INPUT)
    assert "typo" in error.message
    assert (await ProfessionalKeys.get()).password_wrapped == before.password_wrapped


async def test_another_valid_recovery_key_is_refused_as_wrong(api, settings):
    await register_professional(api, "sigrun@example.com")
    _, someone_elses = await register_professional(api, "oliver@example.com")

    with pytest.raises(UserErrors) as raised:
        await _reset(settings, "sigrun@example.com", someone_elses)

    [error] = raised.value.errors
    assert (error.field, error.code) == ("noteRecoveryKey", ErrorCode.INVALID_CREDENTIALS)
    assert "leave it empty" in error.message


async def test_an_old_recovery_key_stops_working_after_rotation(api, settings):
    token, old_recovery = await register_professional(api, "sigrun@example.com")
    rotated = await api.data("""
      mutation($input: RotateNoteKeyInput!) {
        rotateNoteKey(input: $input) { noteRecoveryKey }
      }""", {"input": {"password": "correct horse battery"}}, token=token)
    new_recovery = rotated["rotateNoteKey"]["noteRecoveryKey"]

    with pytest.raises(UserErrors):
        await _reset(settings, "sigrun@example.com", old_recovery)
    assert (await _reset(settings, "sigrun@example.com", new_recovery)).notes_kept is True


async def test_a_client_reset_has_no_notes_key_to_handle(api, settings):
    await register(api, "anna@example.com")
    assert await _reset(settings, "anna@example.com", None) is None
    assert await ProfessionalKeys.all().count() == 0


async def test_a_reset_racing_a_rotation_is_refused_and_writes_nothing(api, settings):
    await register_professional(api, "sigrun@example.com")
    caller = Caller(settings=settings)
    account = await Account.get(email="sigrun@example.com")
    prepared = await prepare_note_key_reset(caller, account, new_password=NEW_PASSWORD,
                                            recovery_key=None)
    await ProfessionalKeys.all().update(key_version=5)

    with pytest.raises(UserErrors) as raised:
        async with in_transaction():
            await apply_note_key_reset(caller, account, prepared)

    assert raised.value.errors[0].code == ErrorCode.CONFLICT
    assert (await ProfessionalKeys.get()).key_version == 5


async def _store_sample_note(email: str) -> None:
    """A note row sealed to the current key, as writeNote stores it."""
    sealed, ids = await seal_sample(email)
    account = await Account.get(email=email)
    await Note.create(id=ids.note_id, author_id=account.id, client_id=account.id,
                      about_date="2026-11-20", sealed=sealed,
                      key_version=(await ProfessionalKeys.get(account_id=account.id)).key_version)


async def test_without_the_recovery_key_notes_at_stake_need_the_persons_yes(api, settings):
    await register_professional(api, "sigrun@example.com")
    await _store_sample_note("sigrun@example.com")
    before = await raw_rows()

    with pytest.raises(UserErrors) as raised:
        await _reset(settings, "sigrun@example.com", None)

    [error] = raised.value.errors
    assert (error.field, error.code) == ("noteRecoveryKey", ErrorCode.NOTES_AT_STAKE)
    assert await raw_rows() == before
    assert (await _reset(settings, "sigrun@example.com", None, accept=True)).notes_kept is False


async def test_a_note_written_while_the_reset_was_prepared_is_not_locked_silently(
        api, settings):
    await register_professional(api, "sigrun@example.com")
    caller = Caller(settings=settings)
    account = await Account.get(email="sigrun@example.com")
    prepared = await prepare_note_key_reset(caller, account, new_password=NEW_PASSWORD,
                                            recovery_key=None)
    await _store_sample_note("sigrun@example.com")
    before = await raw_rows()

    with pytest.raises(UserErrors) as raised:
        async with in_transaction():
            await apply_note_key_reset(caller, account, prepared)

    assert raised.value.errors[0].code == ErrorCode.NOTES_AT_STAKE
    assert await raw_rows() == before
    assert await RetiredNoteKey.all().count() == 0
