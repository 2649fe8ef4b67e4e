"""Time-based one-time passwords (RFC 6238) and recovery codes.

pyotp has no replay protection of its own: `matching_step` returns the time step a code
belongs to, and the caller accepts it only if it is newer than the last accepted step,
with a conditional update so two concurrent requests cannot both use one code.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
from pyotp.utils import strings_equal

ISSUER = "Therapy Hub"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, account_email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_email, issuer_name=ISSUER)


def matching_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The time step the code is valid for (one step of clock drift allowed), or None."""
    digits = "".join(code.split())
    if not digits.isdigit() or len(digits) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if strings_equal(digits, totp.generate_otp(candidate)):
            return candidate
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like `k7fq-2mzp-x9ta`: 60 bits each, easy to copy by hand."""
    return [
        "-".join(
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.casefold() if ch.isalnum())


def recovery_code_hash(server_key: bytes, code: str) -> str:
    normalised = normalise_recovery_code(code)
    return hashlib.blake2b(normalised.encode(), key=server_key, digest_size=32).hexdigest()
