"""The notes recovery key: 32 random bytes a professional writes down once.

It is the only way back to their notes after a password reset, so it has to survive being
copied by hand: Crockford base32 (no I, L, O or U, which are easily confused with 1, 0
and V), 14 groups of 4 characters, and a 24-bit checksum so a mistyped character is reported
as a typo instead of as a wrong key (a miss is one in sixteen million). Parsing forgives case,
spaces, dashes and the look-alikes O/I/L, because that is how people copy keys.

    7K2M-9QXD-...-R4TW   (56 characters: 32 key bytes + 3 checksum bytes)
"""

from __future__ import annotations

import base64
import hashlib
import secrets

KEY_BYTES = 32
_CHECKSUM_BYTES = 3
_GROUP = 4
_RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = str.maketrans(_RFC4648, _CROCKFORD)
_FROM_CROCKFORD = str.maketrans(_CROCKFORD + "OIL", _RFC4648 + "ABB")
LENGTH = (KEY_BYTES + _CHECKSUM_BYTES) * 8 // 5
"""Characters without separators: 56."""


class RecoveryKeyTypoError(ValueError):
    """The text is not a well-formed recovery key: a character is missing, extra or mistyped."""


def new_recovery_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def format_recovery_key(key: bytes) -> str:
    assert len(key) == KEY_BYTES, "a recovery key is 32 bytes"
    text = base64.b32encode(key + _checksum(key)).decode().translate(_TO_CROCKFORD)
    return "-".join(text[i:i + _GROUP] for i in range(0, len(text), _GROUP))


def parse_recovery_key(text: str) -> bytes:
    """The key's bytes; raises RecoveryKeyTypoError for anything but a correctly copied key."""
    compact = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    if len(compact) != LENGTH or any(ch not in _CROCKFORD + "OIL" for ch in compact):
        raise RecoveryKeyTypoError(
            f"a recovery key has {LENGTH} letters and digits; got {len(compact)}"
        )
    raw = base64.b32decode(compact.translate(_FROM_CROCKFORD))
    key, checksum = raw[:KEY_BYTES], raw[KEY_BYTES:]
    if not secrets.compare_digest(checksum, _checksum(key)):
        raise RecoveryKeyTypoError("the checksum does not match: a character is mistyped")
    return key


def _checksum(key: bytes) -> bytes:
    return hashlib.blake2b(key, digest_size=_CHECKSUM_BYTES, person=b"note-recovery").digest()
