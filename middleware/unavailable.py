"""Turns a database outage that escapes a route into a temporary JSON error.

Receipt, calendar and webhook routes, and signing in a GraphQL request's bearer token, reach
the database outside GraphQL execution; without this an outage there is Starlette's plain-text
500, which says "broken" rather than "try again", and a webhook answered like that looks
permanent to no one. (Outages inside GraphQL execution are answered by the schema's error
masking in the same shape.)
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from middleware.json_errors import json_error
from resolvers.core import outages

log = logging.getLogger("therapyhub.unavailable")


class AnswerUnavailable:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if started or not outages.is_outage(error):
                raise
            # Not the path: a calendar feed's path is its secret.
            log.warning("Database unavailable (%s): answered 503", type(error).__name__)
            response = json_error(503, outages.CODE, outages.MESSAGE, headers={
                "Retry-After": str(outages.RETRY_AFTER_SECONDS), "Cache-Control": "no-store"})
            await response(scope, receive, send)


POOL_LOGGER = "asyncpg.pool"


class BriefOutages(logging.Filter):
    """asyncpg's pool warns with a full traceback each time it fails to reconnect during an
    outage: pages of noise that bury what matters, once a second. The warning stays; its
    traceback becomes the error's name. Other errors keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and outages.is_outage(error):
            record.msg = f"{record.getMessage()} (database unavailable: {type(error).__name__})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def brief_pool_outages() -> None:
    """Install the filter on asyncpg's pool logger (once)."""
    logger = logging.getLogger(POOL_LOGGER)
    if not any(isinstance(f, BriefOutages) for f in logger.filters):
        logger.addFilter(BriefOutages())
