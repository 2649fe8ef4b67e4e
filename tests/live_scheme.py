"""docs/live.md's sealing scheme and safety code, written again in Python from the contract
(pynacl's X25519 and AES-256-GCM, HKDF from the standard library), to check the reference web
client's WebCrypto code against something it does not share."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from nacl.bindings import (
    crypto_aead_aes256gcm_decrypt,
    crypto_aead_aes256gcm_encrypt,
    crypto_scalarmult,
)
from nacl.public import PrivateKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def safety_code(key_a: str, key_b: str) -> str:
    first, second = sorted([unb64url(key_a), unb64url(key_b)])
    digest = hashlib.sha256(b"therapyhub safety code v1" + first + second).digest()
    digits = f"{int.from_bytes(digest[:8], 'big') % 10**12:012d}"
    return " ".join(digits[i:i + 3] for i in range(0, 12, 3))


def signal_key(private: PrivateKey, peer_public: bytes, session_id: str) -> bytes:
    """RFC 5869 HKDF-SHA256 over the X25519 shared secret: one 32-byte block."""
    shared = crypto_scalarmult(bytes(private), peer_public)
    prk = hmac.new(session_id.encode(), shared, hashlib.sha256).digest()
    return hmac.new(prk, b"therapyhub signal v1\x01", hashlib.sha256).digest()


def seal(key: bytes, session_id: str, sender: str, message: dict[str, Any]) -> str:
    nonce = os.urandom(12)
    sealed = crypto_aead_aes256gcm_encrypt(json.dumps(message).encode(),
                                           f"{session_id}|{sender}".encode(), nonce, key)
    return b64url(nonce + sealed)


def open_sealed(key: bytes, session_id: str, sender: str, payload: str) -> dict[str, Any]:
    raw = unb64url(payload)
    plain = crypto_aead_aes256gcm_decrypt(raw[12:], f"{session_id}|{sender}".encode(),
                                          raw[:12], key)
    return json.loads(plain)
