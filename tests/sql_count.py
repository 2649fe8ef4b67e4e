"""Counting the SQL statements a request runs, from Tortoise's own query log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from models.accounts import LoginSession

_LOGGER = logging.getLogger("tortoise.db_client")


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().split(" ", 1)[0].upper() in {
            "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "BEGIN", "COMMIT", "ROLLBACK",
        }:
            self.statements.append(message)


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Collects every statement run inside the block; `len()` of the list is the count."""
    counter = _Counter()
    previous = _LOGGER.level
    _LOGGER.setLevel(logging.DEBUG)
    _LOGGER.addHandler(counter)
    try:
        yield counter.statements
    finally:
        _LOGGER.removeHandler(counter)
        _LOGGER.setLevel(previous)


async def sign_ins_seen_now() -> None:
    """Mark every login session as seen now. Call before each count that is compared with
    another: a sign-in is touched at most once a minute (resolvers/accounts/signin.py), and that one
    UPDATE must not land inside one count and not the other on a slow run."""
    await LoginSession.all().update(last_seen_at=datetime.now(UTC))
