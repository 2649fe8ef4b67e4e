"""Whether this login session was proved strongly enough to read client records.

Health-records law expects strong authentication of anyone who reads records. With
REQUIRE_STRONG_AUTH_FOR_PROFESSIONALS on, a professional signed in with a password alone is
asked to sign in with TOTP or an eID before a client profile or notes are shown.
"""

from __future__ import annotations

from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, PublicError

STRONG = frozenset({"second_factor", "eid"})


def require_strong_authentication(caller: Caller) -> None:
    if not caller.settings.require_strong_auth_for_professionals:
        return
    session = caller.login_session
    if session is None or session.strength not in STRONG:
        raise PublicError(
            "Reading client records needs a strong sign-in: turn on two-step sign-in and sign "
            "in again with your code, or sign in with your eID.",
            ErrorCode.STRONG_AUTHENTICATION_REQUIRED,
        )
