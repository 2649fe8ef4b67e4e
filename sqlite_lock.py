"""One app process per SQLite database.

SQLite has no LISTEN/NOTIFY: subscription events stay in the process that published them
(gateways/events.py), so a subscriber on a second process would never hear the first one's
bookings. Rather than serve that silently, a second process refuses to start. The lock is an
exclusive `flock` on a file next to the database; the kernel drops it when the process ends,
however it ends, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("therapyhub.sqlite_lock")


class DatabaseInUse(RuntimeError):
    """Another app process already serves this SQLite database."""


def database_file(database_url: str) -> Path | None:
    """The SQLite file a URL names; None for PostgreSQL and in-memory SQLite."""
    if not database_url.startswith("sqlite://"):
        return None
    path = database_url.removeprefix("sqlite://").partition("?")[0]
    return None if path in {"", ":memory:"} else Path(path)


@contextlib.contextmanager
def only_process(database_url: str) -> Iterator[None]:
    """Hold the database's lock for as long as this process serves it; refuse if it is held."""
    path = database_file(database_url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f"{path.name}.lock")
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = (
                f"Another app process already serves the SQLite database {path} (it holds "
                f"{lock.name}). SQLite cannot share events between processes, so a subscriber "
                "here would miss the other process's bookings. Run a single process on SQLite "
                "(no --workers), or set DATABASE_URL to PostgreSQL to run several."
            )
            log.critical(message)
            raise DatabaseInUse(message) from None
        yield
