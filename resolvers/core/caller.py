"""Who is asking: the signed-in account (if any) and where the request came from.

Every use case takes a Caller and decides authorization from it, never from an id the client
sent. The schema builds one per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from argon2 import PasswordHasher

from crypto import passwords
from gateways.events import Events
from models.accounts import Account, LoginSession
from resolvers.core.errors import ErrorCode, PublicError, not_signed_in
from settings import Settings


@dataclass
class Caller:
    settings: Settings
    account: Account | None = None
    login_session: LoginSession | None = None
    token_raw: bytes | None = None
    """The bearer token's bytes: keys derived from it exist only while the request runs."""
    address: str = ""
    user_agent: str = ""
    events: Events = field(default_factory=Events)
    """Where use cases announce changes to subscribers (after their transaction commits)."""

    def require_account(self) -> Account:
        if self.account is None:
            raise not_signed_in()
        return self.account

    def require_professional(self) -> Account:
        account = self.require_account()
        if not account.is_professional:
            raise PublicError(
                "This needs practitioner mode: turn it on with becomeProfessional.",
                ErrorCode.NOT_ALLOWED,
            )
        return account

    @cached_property
    def password_hasher(self) -> PasswordHasher:
        return password_hasher(self.settings)


_hashers: dict[tuple[int, int, int], PasswordHasher] = {}


def password_hasher(settings: Settings) -> PasswordHasher:
    key = (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    if key not in _hashers:
        _hashers[key] = passwords.hasher(
            time_cost=key[0], memory_kib=key[1], parallelism=key[2]
        )
    return _hashers[key]
