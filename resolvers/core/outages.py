"""When a use case fails because the database (or the event broker) cannot be reached.

That is not a bug and not the caller's mistake: it is temporary, and the answer says so
(`UNAVAILABLE`, HTTP 503, `Retry-After`) so the SPA can wait and retry, and Stripe redelivers a
webhook. The pool reconnects by itself once the database is back; nothing here holds state.
"""

from __future__ import annotations

import errno
import socket

import asyncpg

CODE = "UNAVAILABLE"
RETRY_AFTER_SECONDS = 5
MESSAGE = ("The service is temporarily unavailable (its database cannot be reached). "
           f"Try again in {RETRY_AFTER_SECONDS} seconds; nothing was changed.")

_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH,
                   errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}
_OUTAGES = (
    ConnectionError,  # refused, reset; Tortoise's DBConnectionError
    TimeoutError,
    socket.gaierror,
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and a connection lost mid-query
    asyncpg.exceptions.AdminShutdownError,  # the server is shutting down
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,  # the server is starting up
)


def is_outage(error: BaseException | None) -> bool:
    """True when `error`, or what caused it, means the database is out of reach."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _OUTAGES) or _plain_network_error(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _plain_network_error(error: BaseException) -> bool:
    """asyncio raises a bare OSError ("Multiple exceptions: ...") when every address of a host
    such as `localhost` refused; it has no errno of its own."""
    return type(error) is OSError and (error.errno in _NETWORK_ERRNOS or error.errno is None)
