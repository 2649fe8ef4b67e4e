"""The notes cryptography on its own: sealing, opening, key wrapping and the recovery key."""

from __future__ import annotations

from uuid import uuid4

import pytest
from nacl.pwhash import argon2id

from crypto import note_keys, recovery_keys
from crypto.notes import (
    MAX_BODY_BYTES,
    DamagedNoteError,
    NoteIds,
    NoteText,
    SealedForAnotherKeyError,
    body_problem,
    open_note,
    reseal_note,
    seal_note,
    sealed_key_version,
    title_problem,
)
from crypto.tokens import decode_token, derive_key, new_token

CHEAP = note_keys.KdfLimits(ops=argon2id.OPSLIMIT_MIN, mem_bytes=argon2id.MEMLIMIT_MIN)
PASSWORD = "correct horse battery"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ids() -> NoteIds:
    return NoteIds(note_id=uuid4(), client_id=uuid4(), author_id=uuid4())


def _round_trip(text: NoteText) -> NoteText:
    key = note_keys.new_private_key()
    ids = _ids()
    sealed = seal_note(note_keys.public_key_of(key), key_version=1, ids=ids, text=text)
    return open_note(key, sealed, key_version=1, ids=ids)


def test_a_100_kb_note_round_trips_exactly():
    line = "Session 12: sleep improving, anxiety 4/10 (was 7). Homework: breathing 2x day.\n"
    body = (line * (100 * 1024 // len(line) + 1))[:100 * 1024]
    assert len(body.encode()) == 100 * 1024
    text = NoteText(title="Long write-up", body=body)
    assert _round_trip(text) == text


@pytest.mark.parametrize("body", [
    "Þórunn ætlar að æfa öndun á hverjum degi; ð, þ, æ og ö haldast óbreytt.",
    "Progress 🎉👩🏽‍⚕️🧘‍♀️ — family 👨‍👩‍👧‍👦, flag 🇮🇸, keycap 1️⃣",
    "המטופל דיווח על שיפור \u200fבשינה\u200f; قال المريض إنه ينام أفضل",
    "decomposed e\u0301 stays decomposed, composed \u00e9 stays composed",
    "tabs\tnewlines\r\n NUL\x00 and trailing spaces   ",
])
def test_any_unicode_round_trips_exactly(body):
    text = NoteText(title=body[:40], body=body)
    opened = _round_trip(text)
    assert opened == text
    assert opened.body.encode() == body.encode()


def test_sealed_bytes_contain_no_plaintext():
    key = note_keys.new_private_key()
    ids = _ids()
    text = NoteText(title="Panic attacks at work", body="Discussed panic attacks at work. " * 50)
    sealed = seal_note(note_keys.public_key_of(key), key_version=1, ids=ids, text=text)
    for secret in (b"Panic attacks", b"panic attacks at work", ids.note_id.bytes,
                   ids.client_id.bytes, ids.author_id.bytes, bytes(key)):
        assert secret not in sealed


def test_sealing_twice_gives_different_ciphertexts():
    key = note_keys.new_private_key()
    ids, text = _ids(), NoteText(title="t", body="same words")
    public = note_keys.public_key_of(key)
    first = seal_note(public, key_version=1, ids=ids, text=text)
    assert seal_note(public, key_version=1, ids=ids, text=text) != first


@pytest.mark.parametrize("moved_to", ["note_id", "client_id", "author_id"])
def test_a_ciphertext_moved_to_another_row_client_or_author_is_damaged(moved_to):
    key = note_keys.new_private_key()
    ids = _ids()
    sealed = seal_note(note_keys.public_key_of(key), key_version=1, ids=ids,
                       text=NoteText(title="About Anna", body="Anna's note"))
    other = NoteIds(**{**ids.__dict__, moved_to: uuid4()})
    with pytest.raises(DamagedNoteError):
        open_note(key, sealed, key_version=1, ids=other)


def test_a_note_of_another_key_version_is_reported_as_such():
    key = note_keys.new_private_key()
    ids = _ids()
    sealed = seal_note(note_keys.public_key_of(key), key_version=3, ids=ids,
                       text=NoteText(title="", body="x"))
    assert sealed_key_version(sealed) == 3
    with pytest.raises(SealedForAnotherKeyError) as raised:
        open_note(key, sealed, key_version=4, ids=ids)
    assert raised.value.sealed_version == 3


def test_a_relabelled_or_corrupted_ciphertext_is_damaged():
    key = note_keys.new_private_key()
    other_key = note_keys.new_private_key()
    ids = _ids()
    sealed = seal_note(note_keys.public_key_of(key), key_version=1, ids=ids,
                       text=NoteText(title="", body="x"))
    relabelled = sealed[:1] + (2).to_bytes(4, "big") + sealed[5:]
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for bad, opener, version in [(relabelled, key, 2), (flipped, key, 1), (sealed, other_key, 1),
                                 (b"", key, 1), (b"\x07garbage", key, 1)]:
        with pytest.raises(DamagedNoteError):
            open_note(opener, bad, key_version=version, ids=ids)


def test_resealing_changes_the_ciphertext_and_only_the_new_key_opens_it():
    old, new = note_keys.new_private_key(), note_keys.new_private_key()
    ids, text = _ids(), NoteText(title="Plan", body="Weekly sessions until June.")
    sealed = seal_note(note_keys.public_key_of(old), key_version=1, ids=ids, text=text)
    resealed = reseal_note(sealed, old_key=old, old_version=1,
                           new_public_key=note_keys.public_key_of(new), new_version=2, ids=ids)
    assert resealed != sealed
    assert open_note(new, resealed, key_version=2, ids=ids) == text
    with pytest.raises(DamagedNoteError):
        open_note(old, resealed[:1] + (1).to_bytes(4, "big") + resealed[5:], key_version=1,
                  ids=ids)


def test_empty_and_oversized_notes_are_refused_with_a_reason():
    assert "empty note" in body_problem("")
    assert "empty note" in body_problem("  \n\t ")
    assert body_problem("x" * MAX_BODY_BYTES) is None
    assert "limit is 200 KB" in body_problem("x" * (MAX_BODY_BYTES + 1))
    assert "limit is 200 KB" in body_problem("ð" * (MAX_BODY_BYTES // 2 + 1))
    assert "not valid text" in body_problem("broken \ud800 surrogate")
    assert title_problem("") is None
    assert "200 characters" in title_problem("t" * 201)
    with pytest.raises(ValueError, match="empty note"):
        seal_note(note_keys.public_key_of(note_keys.new_private_key()), key_version=1,
                  ids=_ids(), text=NoteText(title="t", body=" "))


def test_password_wrap_opens_with_the_password_only():
    key = note_keys.new_private_key()
    public = note_keys.public_key_of(key)
    wrap = note_keys.wrap_under_password(key, PASSWORD, CHEAP)
    assert wrap.limits == CHEAP
    assert bytes(key) not in wrap.wrapped
    assert note_keys.unwrap_with_password(wrap, PASSWORD, public_key=public) == key
    for wrong in ("correct horse battery ", "Correct horse battery", ""):
        with pytest.raises(note_keys.WrongSecretError):
            note_keys.unwrap_with_password(wrap, wrong, public_key=public)


def test_a_wrap_opens_with_the_limits_it_was_made_with():
    key = note_keys.new_private_key()
    stronger = note_keys.KdfLimits(ops=2, mem_bytes=64 * 1024)
    wrap = note_keys.wrap_under_password(key, PASSWORD, stronger)
    assert note_keys.unwrap_with_password(
        wrap, PASSWORD, public_key=note_keys.public_key_of(key)
    ) == key
    weaker = note_keys.PasswordWrap(wrapped=wrap.wrapped, salt=wrap.salt, limits=CHEAP)
    with pytest.raises(note_keys.WrongSecretError):
        note_keys.unwrap_with_password(weaker, PASSWORD, public_key=note_keys.public_key_of(key))


def test_a_wrap_copied_to_another_key_pair_is_refused():
    mine, theirs = note_keys.new_private_key(), note_keys.new_private_key()
    wrap = note_keys.wrap_under_password(mine, PASSWORD, CHEAP)
    with pytest.raises(note_keys.WrongSecretError):
        note_keys.unwrap_with_password(wrap, PASSWORD,
                                       public_key=note_keys.public_key_of(theirs))


def test_recovery_key_wrap_opens_with_that_key_only():
    key = note_keys.new_private_key()
    public = note_keys.public_key_of(key)
    recovery = recovery_keys.new_recovery_key()
    wrapped = note_keys.wrap_under_recovery_key(key, recovery)
    assert bytes(key) not in wrapped
    assert note_keys.unwrap_with_recovery_key(wrapped, recovery, public_key=public) == key
    with pytest.raises(note_keys.WrongSecretError):
        note_keys.unwrap_with_recovery_key(wrapped, recovery_keys.new_recovery_key(),
                                           public_key=public)


def test_session_wrap_opens_with_the_token_derived_key_only():
    key = note_keys.new_private_key()
    public = note_keys.public_key_of(key)
    token, other = decode_token(new_token()), decode_token(new_token())
    wrapped = note_keys.wrap_under_session_key(key, derive_key(token, purpose="note-key"))
    assert note_keys.unwrap_with_session_key(
        wrapped, derive_key(token, purpose="note-key"), public_key=public
    ) == key
    for wrong in (derive_key(other, purpose="note-key"), derive_key(token, purpose="other")):
        with pytest.raises(note_keys.WrongSecretError):
            note_keys.unwrap_with_session_key(wrapped, wrong, public_key=public)


def test_a_wrap_opens_only_for_the_purpose_it_was_made_for():
    key = note_keys.new_private_key()
    secret = recovery_keys.new_recovery_key()
    as_session = note_keys.wrap_under_session_key(key, secret)
    with pytest.raises(note_keys.WrongSecretError):
        note_keys.unwrap_with_recovery_key(as_session, secret,
                                           public_key=note_keys.public_key_of(key))


def test_recovery_key_is_grouped_and_parses_back_forgivingly():
    key = recovery_keys.new_recovery_key()
    shown = recovery_keys.format_recovery_key(key)
    groups = shown.split("-")
    assert len(groups) == 14
    assert all(len(g) == 4 and set(g) <= set(CROCKFORD) for g in groups)
    assert recovery_keys.parse_recovery_key(shown) == key
    assert recovery_keys.parse_recovery_key(f"  {shown.lower().replace('-', ' ')}\n") == key
    assert recovery_keys.parse_recovery_key(" ".join(shown.replace("-", ""))) == key
    look_alikes = shown.replace("0", "O").replace("1", "l")
    assert recovery_keys.parse_recovery_key(look_alikes) == key


def test_every_single_character_typo_in_a_recovery_key_is_detected():
    shown = recovery_keys.format_recovery_key(bytes(range(32))).replace("-", "")
    for position, original in enumerate(shown):
        for replacement in CROCKFORD.replace(original, ""):
            typo = shown[:position] + replacement + shown[position + 1:]
            with pytest.raises(recovery_keys.RecoveryKeyTypoError):
                recovery_keys.parse_recovery_key(typo)


def test_swapped_missing_or_extra_characters_in_a_recovery_key_are_detected():
    shown = recovery_keys.format_recovery_key(bytes(range(32, 64)))
    compact = shown.replace("-", "")
    swaps = [compact[:i] + compact[i + 1] + compact[i] + compact[i + 2:]
             for i in range(len(compact) - 1) if compact[i] != compact[i + 1]]
    for typo in [*swaps, compact[:-1], compact + "7", shown.replace("-", "-U", 1)]:
        with pytest.raises(recovery_keys.RecoveryKeyTypoError):
            recovery_keys.parse_recovery_key(typo)
