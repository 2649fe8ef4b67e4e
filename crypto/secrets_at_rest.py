"""Symmetric encryption of small secrets at rest (TOTP secrets) under the server key."""

from __future__ import annotations

import hashlib

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox


class UndecryptableError(ValueError):
    """The ciphertext was not made with this key (wrong key, or the data was altered)."""


def _box(server_key: bytes, purpose: str) -> SecretBox:
    subkey = hashlib.blake2b(server_key, digest_size=32, person=purpose.encode()).digest()
    return SecretBox(subkey)


def encrypt(server_key: bytes, plaintext: bytes, *, purpose: str) -> bytes:
    return bytes(_box(server_key, purpose).encrypt(plaintext))


def decrypt(server_key: bytes, ciphertext: bytes, *, purpose: str) -> bytes:
    try:
        return _box(server_key, purpose).decrypt(ciphertext)
    except CryptoError as error:
        raise UndecryptableError("cannot decrypt with this server key") from error
