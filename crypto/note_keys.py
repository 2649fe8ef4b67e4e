"""A professional's notes key pair, and the three ways its private half is kept wrapped.

Notes are sealed to the professional's X25519 public key (see `crypto.notes`); the private key
is never stored in the clear. It is kept encrypted (XChaCha20-Poly1305) under:

- a key derived from the password with argon2id (`nacl.pwhash.argon2id.kdf`): the salt and the
  limits are stored with the wrap, so the limits can be raised later and old wraps still open;
- the recovery key (32 random bytes shown once, `crypto.recovery_keys`), for a password reset;
- a key only the holder of a login token can compute (`crypto.tokens.derive_key`), for the
  lifetime of one login session or one second-factor challenge.

None of these keys is in the database or derivable from the server's SECRET_KEY, so a copy of
both opens nothing. The associated data names the purpose and the public key, so a wrap opens
only as what it was made for and only for the key pair it belongs to: a wrapped key copied into
another professional's row is refused instead of silently becoming their key.
"""

from __future__ import annotations

from dataclasses import dataclass

import nacl.bindings as sodium
import nacl.utils
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey
from nacl.pwhash import argon2id

KEY_BYTES = 32
SALT_BYTES = argon2id.SALTBYTES
_FORMAT = 1
_NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES


class WrongSecretError(ValueError):
    """The password, recovery key or session key does not open this wrapped key."""


@dataclass(frozen=True)
class KdfLimits:
    """argon2id cost: `ops` passes over `mem_bytes` of memory (libsodium uses one lane)."""

    ops: int
    mem_bytes: int

    def __post_init__(self) -> None:
        assert argon2id.OPSLIMIT_MIN <= self.ops <= argon2id.OPSLIMIT_MAX, "ops out of range"
        assert argon2id.MEMLIMIT_MIN <= self.mem_bytes <= argon2id.MEMLIMIT_MAX, (
            "memory out of range"
        )


@dataclass(frozen=True, repr=False)
class PasswordWrap:
    """What the database keeps to reopen the private key with the password."""

    wrapped: bytes
    salt: bytes
    limits: KdfLimits


def new_private_key() -> PrivateKey:
    return PrivateKey.generate()


def public_key_of(private_key: PrivateKey) -> bytes:
    return bytes(private_key.public_key)


def wrap_under_password(private_key: PrivateKey, password: str, limits: KdfLimits
                        ) -> PasswordWrap:
    """Wrap under an argon2id key of the password with a fresh salt (~the cost of a login)."""
    salt = nacl.utils.random(SALT_BYTES)
    kek = _password_kek(password, salt, limits)
    return PasswordWrap(wrapped=_wrap(kek, private_key, "password"), salt=salt, limits=limits)


def unwrap_with_password(wrap: PasswordWrap, password: str, *, public_key: bytes) -> PrivateKey:
    kek = _password_kek(password, wrap.salt, wrap.limits)
    return _unwrap(kek, wrap.wrapped, "password", public_key)


def wrap_under_recovery_key(private_key: PrivateKey, recovery_key: bytes) -> bytes:
    """The recovery key is 256 random bits already: it is the wrapping key, no stretching."""
    return _wrap(recovery_key, private_key, "recovery")


def unwrap_with_recovery_key(wrapped: bytes, recovery_key: bytes, *, public_key: bytes
                             ) -> PrivateKey:
    return _unwrap(recovery_key, wrapped, "recovery", public_key)


def wrap_under_session_key(private_key: PrivateKey, session_key: bytes) -> bytes:
    """`session_key` comes from `crypto.tokens.derive_key(token, ...)`: the token's holder only."""
    return _wrap(session_key, private_key, "session")


def unwrap_with_session_key(wrapped: bytes, session_key: bytes, *, public_key: bytes
                            ) -> PrivateKey:
    return _unwrap(session_key, wrapped, "session", public_key)


def _password_kek(password: str, salt: bytes, limits: KdfLimits) -> bytes:
    assert len(salt) == SALT_BYTES, "argon2id salt is 16 bytes"
    return argon2id.kdf(KEY_BYTES, password.encode(), salt, opslimit=limits.ops,
                        memlimit=limits.mem_bytes)


def _associated_data(purpose: str, public_key: bytes) -> bytes:
    return b"therapyhub note key v1|" + purpose.encode() + b"|" + public_key


def _wrap(kek: bytes, private_key: PrivateKey, purpose: str) -> bytes:
    assert len(kek) == KEY_BYTES, "wrapping keys are 32 bytes"
    nonce = nacl.utils.random(_NONCE_BYTES)
    ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        bytes(private_key), _associated_data(purpose, public_key_of(private_key)), nonce, kek
    )
    return bytes([_FORMAT]) + nonce + ciphertext


def _unwrap(kek: bytes, wrapped: bytes, purpose: str, public_key: bytes) -> PrivateKey:
    assert len(kek) == KEY_BYTES, "wrapping keys are 32 bytes"
    if len(wrapped) < 1 + _NONCE_BYTES or wrapped[0] != _FORMAT:
        raise WrongSecretError("not a wrapped notes key")
    nonce, ciphertext = wrapped[1:1 + _NONCE_BYTES], wrapped[1 + _NONCE_BYTES:]
    try:
        raw = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            ciphertext, _associated_data(purpose, public_key), nonce, kek
        )
    except CryptoError as error:
        raise WrongSecretError(f"this {purpose} does not open the notes key") from error
    private_key = PrivateKey(raw)
    if public_key_of(private_key) != public_key:
        raise WrongSecretError("the unwrapped key does not match the public key")
    return private_key
