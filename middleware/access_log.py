"""Keeps secrets out of uvicorn's access log.

Some URLs are credentials: a calendar feed's path is a long-lived link that reveals a therapy
schedule, and a receipt link's query carries its signature. Log files are read by more people
and kept longer than the data they describe, so every logged URL loses its query string and any
path segment that looks like a token.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"

# new_token() is 43 url-safe characters; anything that long and random-looking is treated as
# a secret. Ids (UUIDs, 36 characters with dashes) and route names stay readable.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,}")
_CALENDAR = re.compile(r"^/calendar/[^/]+\.ics$")


def redact_url(url: str) -> str:
    """The path with tokens replaced and the query string (signatures, emails) dropped."""
    path, has_query, _ = url.partition("?")
    if _CALENDAR.match(path):
        path = f"/calendar/{REDACTED}.ics"
    path = "/".join(_TOKEN.sub(REDACTED, segment) if _TOKEN.fullmatch(segment.split(".")[0])
                    else segment for segment in path.split("/"))
    return f"{path}?{REDACTED}" if has_query else path


class RedactUrls(logging.Filter):
    """uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with the URL as the third argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_url(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger (once). Logger filters survive uvicorn's
    own dictConfig, which replaces handlers but keeps filters."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactUrls) for f in logger.filters):
        logger.addFilter(RedactUrls())
