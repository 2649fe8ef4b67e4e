"""Password hashing with argon2id.

Hashing takes ~100 ms of CPU by design, so callers run these functions in a worker thread
(`asyncio.to_thread`) to keep the event loop serving other requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class Verification:
    ok: bool
    new_hash: str | None = None
    """Set when the stored hash used older parameters and should be replaced."""


def hasher(*, time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(ph: PasswordHasher, password: str) -> str:
    return ph.hash(password)


def verify_password(ph: PasswordHasher, stored_hash: str, password: str) -> Verification:
    """Check a password and say whether its hash needs upgrading to the current parameters."""
    try:
        ph.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return Verification(ok=False)
    if ph.check_needs_rehash(stored_hash):
        return Verification(ok=True, new_hash=ph.hash(password))
    return Verification(ok=True)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say what is wrong with a new password, or None.

    Length over composition rules, as NIST 800-63B advises.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.casefold()
    local_part = email.split("@", 1)[0].casefold()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and name.casefold().replace(" ", "") == lowered
    ):
        return "Choose a password that does not contain your email or name."
    if len(set(password)) < 4:
        return "Choose a password with more variety; this one is easy to guess."
    return None
