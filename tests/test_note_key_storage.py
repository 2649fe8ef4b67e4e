"""What the database holds of the notes key, read as raw rows: nothing that opens it, not even
together with the server's SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

import pyotp
import pytest

from crypto import note_keys as keys_crypto
from crypto import recovery_keys
from crypto.tokens import decode_token, derive_key
from models.accounts import LoginSession
from models.notes import ProfessionalKeys, RetiredNoteKey, SessionNoteKey
from resolvers.accounts import note_keys
from resolvers.core.caller import Caller
from resolvers.core.errors import PublicError
from tests.helpers import PASSWORD, login
from tests.notes_support import caller_for, raw_rows, register_professional
from tests.reset_steps import reset, reset_link


async def _with_second_factor(api, token: str) -> str:
    secret = (await api.data("""
      mutation($input: PasswordConfirmationInput!) {
        startTotpEnrolment(input: $input) { secret }
      }""", {"input": {"password": PASSWORD}}, token=token))["startTotpEnrolment"]["secret"]
    await api.data("""
      mutation($input: ConfirmTotpEnrolmentInput!) {
        confirmTotpEnrolment(input: $input) { userErrors { code } }
      }""", {"input": {"code": pyotp.TOTP(secret).now()}}, token=token)
    return secret


def _spellings(secret: bytes) -> list[bytes | str]:
    return [secret, secret.hex(), base64.b64encode(secret).decode(),
            base64.urlsafe_b64encode(secret).decode().rstrip("="),
            base64.b32encode(secret).decode().rstrip("=")]


def _contains(value: object, needle: bytes | str) -> bool:
    if isinstance(value, (bytes, bytearray, memoryview)):
        blob = bytes(value)
        return (needle in blob if isinstance(needle, bytes)
                else needle.encode() in blob)
    text = str(value)
    return needle.decode("latin-1") in text if isinstance(needle, bytes) else needle in text


async def test_no_private_key_recovery_key_or_unwrapping_key_is_stored(api, settings):
    token, recovery_key = await register_professional(api, "sigrun@example.com")
    await _with_second_factor(api, token)
    challenge = (await login(api, "sigrun@example.com"))["challenge"]
    private_key = (await note_keys.caller_note_key(await caller_for(settings, token))).private_key
    raw_token, raw_challenge = decode_token(token), decode_token(challenge)
    secrets = [
        bytes(private_key),
        recovery_keys.parse_recovery_key(recovery_key),
        derive_key(raw_token, purpose=note_keys.SESSION_KEY_PURPOSE),
        derive_key(raw_challenge, purpose=note_keys.CHALLENGE_KEY_PURPOSE),
        raw_token,
        raw_challenge,
    ]

    cells = await raw_rows()

    assert {"professional_keys", "session_note_key", "challenge_note_key"} <= {
        table for table, _, _ in cells
    }
    for secret in secrets:
        for spelling in _spellings(secret):
            leaks = [(t, c) for t, c, value in cells if _contains(value, spelling)]
            assert leaks == []
    for spelling in (recovery_key, recovery_key.replace("-", "")):
        assert [(t, c) for t, c, value in cells if _contains(value, spelling)] == []


async def test_a_key_retired_by_a_reset_is_stored_only_under_its_recovery_key(
        api, mailbox, settings):
    token, recovery_key = await register_professional(api, "sigrun@example.com")
    old_private = (await note_keys.caller_note_key(await caller_for(settings, token))
                   ).private_key
    answer = await reset(api, await reset_link(api, mailbox, "sigrun@example.com"))
    new_recovery_key = answer["noteRecoveryKey"]

    cells = await raw_rows()

    assert "retired_note_key" in {table for table, _, _ in cells}
    for secret in (bytes(old_private), recovery_keys.parse_recovery_key(recovery_key),
                   recovery_keys.parse_recovery_key(new_recovery_key)):
        for spelling in _spellings(secret):
            assert [(t, c) for t, c, value in cells if _contains(value, spelling)] == []
    for shown in (recovery_key, new_recovery_key):
        for spelling in (shown, shown.replace("-", "")):
            assert [(t, c) for t, c, value in cells if _contains(value, spelling)] == []
    retired = await RetiredNoteKey.get()
    for candidate in _candidate_keys(settings.secret_key, cells):
        with pytest.raises(keys_crypto.WrongSecretError):
            keys_crypto.unwrap_with_recovery_key(retired.recovery_wrapped, candidate,
                                                 public_key=retired.public_key)
    opened = keys_crypto.unwrap_with_recovery_key(
        retired.recovery_wrapped, recovery_keys.parse_recovery_key(recovery_key),
        public_key=retired.public_key)
    assert bytes(opened) == bytes(old_private)


def _candidate_keys(server_key: bytes, cells) -> list[bytes]:
    """Every 32-byte key someone holding the database and SECRET_KEY could try first."""
    candidates = [server_key[:32], hashlib.sha256(server_key).digest()]
    purposes = ["totp-secret", "login-session", "2fa-challenge", note_keys.SESSION_KEY_PURPOSE,
                note_keys.CHALLENGE_KEY_PURPOSE]
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


async def test_a_copy_of_the_database_and_the_secret_key_opens_no_key(api, settings):
    token, _ = await register_professional(api, "sigrun@example.com")
    await _with_second_factor(api, token)
    await login(api, "sigrun@example.com")
    cells = await raw_rows()
    stored = await ProfessionalKeys.get()
    wrapped = [bytes(v) for t, c, v in cells
               if (t, c) in {("session_note_key", "wrapped"), ("challenge_note_key", "wrapped"),
                             ("professional_keys", "recovery_wrapped")}]
    assert len(wrapped) == 3

    for candidate in _candidate_keys(settings.secret_key, cells):
        for blob in wrapped:
            for unwrap in (keys_crypto.unwrap_with_session_key,
                           keys_crypto.unwrap_with_recovery_key):
                with pytest.raises(keys_crypto.WrongSecretError):
                    unwrap(blob, candidate, public_key=stored.public_key)

    # The server's own path, given what the database holds of the token (its hash), opens
    # nothing either; given the real token it does.
    session = await LoginSession.get(id=(await SessionNoteKey.get()).login_session_id
                                     ).select_related("account")
    from_dump = Caller(settings=settings, account=session.account, login_session=session,
                       token_raw=bytes.fromhex(session.token_hash))
    with pytest.raises(PublicError) as raised:
        await note_keys.caller_note_key(from_dump)
    assert raised.value.code.value == "NOTES_LOCKED"
    assert await note_keys.caller_note_key(await caller_for(settings, token))


async def test_a_password_wrap_copied_to_another_professional_does_not_give_them_the_key(
    api, settings
):
    """Both use the same password here, so only the public key bound into the wrap stops it."""
    await register_professional(api, "sigrun@example.com")
    await register_professional(api, "oliver@example.com")
    sigrun = await ProfessionalKeys.get(account__email="sigrun@example.com")
    await ProfessionalKeys.filter(account__email="oliver@example.com").update(
        password_wrapped=sigrun.password_wrapped, password_salt=sigrun.password_salt
    )

    oliver_token = (await login(api, "oliver@example.com"))["token"]

    with pytest.raises(PublicError) as raised:
        await note_keys.caller_note_key(await caller_for(settings, oliver_token))
    assert raised.value.code.value == "NOTES_LOCKED"


async def test_a_session_key_row_copied_to_another_session_opens_nothing(api, settings):
    first, _ = await register_professional(api, "sigrun@example.com")
    second = (await login(api, "sigrun@example.com"))["token"]
    first_session = (await caller_for(settings, first)).login_session
    second_session = (await caller_for(settings, second)).login_session
    first_row = await SessionNoteKey.get(login_session_id=first_session.id)
    await SessionNoteKey.filter(login_session_id=second_session.id).update(
        wrapped=first_row.wrapped
    )

    with pytest.raises(PublicError) as raised:
        await note_keys.caller_note_key(await caller_for(settings, second))
    assert raised.value.code.value == "NOTES_LOCKED"
    assert await note_keys.caller_note_key(await caller_for(settings, first))
