"""Opaque secrets handed to people: login tokens, challenges, invitation and reset links.

A token is 256 random bits, base64url-encoded. The database keeps only a keyed hash of it
(`lookup_hash`), so a stolen database cannot be replayed as a sign-in. Other keys are derived
from the token under a different personalisation (`derive_key`), so the stored hash reveals
nothing about them either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def decode_token(token: str) -> bytes | None:
    """The token's raw bytes, or None when it is malformed (never raises on bad input)."""
    if not isinstance(token, str) or len(token) != 43:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=")
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == TOKEN_BYTES else None


def lookup_hash(raw: bytes, *, purpose: str) -> str:
    """The hex digest the database stores to find a token; purpose keeps token kinds apart."""
    return hashlib.blake2b(raw, digest_size=32, person=_person(purpose)).hexdigest()


def derive_key(raw: bytes, *, purpose: str) -> bytes:
    """A 32-byte key only the token's holder can compute (the database never sees it)."""
    return hashlib.blake2b(raw, digest_size=32, key=b"derive", person=_person(purpose)).digest()


def keyed_hash(server_key: bytes, value: str, *, purpose: str) -> str:
    """HMAC of a low-entropy value (an email, an address) so it can be matched, not read."""
    return hmac.new(server_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _person(purpose: str) -> bytes:
    encoded = purpose.encode()
    assert len(encoded) <= 16, "blake2b personalisation is at most 16 bytes"
    return encoded
