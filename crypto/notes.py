"""Sealing and opening a client note: only the holder of the professional's private key reads it.

A note is sealed with libsodium's sealed box (X25519 + XSalsa20-Poly1305 under an ephemeral key)
to the professional's public key, so the server can write a note without being able to read it
back later unless the professional's session has unlocked the key.

A sealed box has no associated data and anyone holding the public key can seal, so on its own a
ciphertext could be copied from one note row to another, or from one client to another, and
would open there as if it belonged. To make that detectable, the plaintext carries the note's
id, the client's id, the author's id and the key version; `open_note` compares them with the row
being read and raises `DamagedNoteError` on any difference. A note is never shown under another
note's identity.

Sealed layout:  format (1 byte) | key version (4 bytes, big-endian) | sealed box
Plaintext (v1): format | note id | client id | author id | key version | title length
                | title | body   (ids 16 raw bytes each, numbers big-endian, text UTF-8)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from uuid import UUID

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

MAX_TITLE_CHARACTERS = 200
MAX_BODY_BYTES = 200 * 1024
"""200 KB of UTF-8: a long session write-up is ~20 KB; more is likely a pasted document."""

_FORMAT = 1
_TAG = struct.Struct(">BI")
_HEADER = struct.Struct(">B16s16s16sII")


class NoteError(ValueError):
    """A sealed note cannot be shown."""


class DamagedNoteError(NoteError):
    """The ciphertext is corrupt, or belongs to another note, client or author.

    Show it as damaged, never as the note of the row it was found in.
    """


class SealedForAnotherKeyError(NoteError):
    """The note was sealed to another key version than the one offered to open it.

    After a password reset without the recovery key, the notes sealed to the old key stay like
    this for good; after a rotation, it means the re-sealing of this note did not happen.
    """

    def __init__(self, sealed_version: int, key_version: int) -> None:
        super().__init__(f"sealed for key version {sealed_version}, opened with {key_version}")
        self.sealed_version = sealed_version


@dataclass(frozen=True)
class NoteText:
    title: str
    body: str


@dataclass(frozen=True)
class NoteIds:
    """Who and what a note belongs to; sealed inside it and checked on opening."""

    note_id: UUID
    client_id: UUID
    author_id: UUID


def title_problem(title: str) -> str | None:
    """What is wrong with a note title, or None. An empty title is allowed: the date heads it."""
    if not _is_text(title):
        return "The title has characters that are not valid text; type or paste it again."
    if len(title) > MAX_TITLE_CHARACTERS:
        return f"Use at most {MAX_TITLE_CHARACTERS} characters for the title."
    return None


def body_problem(body: str) -> str | None:
    """What is wrong with a note body, or None."""
    if not _is_text(body):
        return "The note has characters that are not valid text; type or paste it again."
    if not body.strip():
        return "Write something in the note: an empty note cannot be saved."
    size = len(body.encode())
    if size > MAX_BODY_BYTES:
        return (f"The note is {size / 1024:.0f} KB and the limit is "
                f"{MAX_BODY_BYTES // 1024} KB: split it into two notes.")
    return None


def seal_note(public_key: bytes, *, key_version: int, ids: NoteIds, text: NoteText) -> bytes:
    """Seal title and body, with the ids inside, to the professional's public key.

    Validate first with `title_problem` / `body_problem`; invalid text here is a programming
    error and raises ValueError.
    """
    if problem := title_problem(text.title) or body_problem(text.body):
        raise ValueError(problem)
    return _seal(public_key, key_version, ids, text)


def sealed_key_version(sealed: bytes) -> int:
    """The key version a note was sealed to, read without opening it."""
    if len(sealed) < _TAG.size or sealed[0] != _FORMAT:
        raise DamagedNoteError("not a sealed note")
    return _TAG.unpack_from(sealed)[1]


def open_note(private_key: PrivateKey, sealed: bytes, *, key_version: int, ids: NoteIds
              ) -> NoteText:
    """Open a note and check it belongs to `ids`, the row it was read from.

    Raises SealedForAnotherKeyError when `private_key` (of `key_version`) is not the key it was
    sealed to, and DamagedNoteError when it is corrupt or carries other ids or another version.
    """
    sealed_version = sealed_key_version(sealed)
    if sealed_version != key_version:
        raise SealedForAnotherKeyError(sealed_version, key_version)
    try:
        plaintext = SealedBox(private_key).decrypt(sealed[_TAG.size:])
    except CryptoError as error:
        raise DamagedNoteError("the sealed note does not open with this key") from error
    if len(plaintext) < _HEADER.size:
        raise DamagedNoteError("the sealed note is too short")
    fmt, note_id, client_id, author_id, inner_version, title_length = _HEADER.unpack_from(
        plaintext
    )
    if (fmt, note_id, client_id, author_id, inner_version) != (
        _FORMAT, ids.note_id.bytes, ids.client_id.bytes, ids.author_id.bytes, key_version
    ):
        raise DamagedNoteError("the sealed note belongs to another note, client or author")
    title_end = _HEADER.size + title_length
    if title_end > len(plaintext):
        raise DamagedNoteError("the sealed note's title runs past its end")
    try:
        title = plaintext[_HEADER.size:title_end].decode()
        body = plaintext[title_end:].decode()
    except UnicodeDecodeError as error:
        raise DamagedNoteError("the sealed note's text is not valid UTF-8") from error
    return NoteText(title=title, body=body)


def reseal_note(sealed: bytes, *, old_key: PrivateKey, old_version: int, new_public_key: bytes,
                new_version: int, ids: NoteIds) -> bytes:
    """Open with the old key and seal to the new one (key rotation); ids are checked on the way.

    Not re-validated: a note accepted under earlier limits must survive a rotation.
    """
    text = open_note(old_key, sealed, key_version=old_version, ids=ids)
    return _seal(new_public_key, new_version, ids, text)


def _is_text(value: str) -> bool:
    """False for lone surrogates, which JSON allows but UTF-8 cannot carry."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _seal(public_key: bytes, key_version: int, ids: NoteIds, text: NoteText) -> bytes:
    title = text.title.encode()
    plaintext = _HEADER.pack(_FORMAT, ids.note_id.bytes, ids.client_id.bytes,
                             ids.author_id.bytes, key_version, len(title)) + title
    plaintext += text.body.encode()
    sealed = SealedBox(PublicKey(public_key)).encrypt(plaintext)
    return _TAG.pack(_FORMAT, key_version) + sealed
