"""Running an action once the current database transaction commits, and never if it rolls back.

A subscription event must not announce what a rollback undoes. PostgreSQL's NOTIFY has this by
itself; an in-process or Redis delivery does not, so it waits here for the commit. Tortoise has
no commit hook: the outermost transaction's `commit` is wrapped, for that transaction only, to
run the queued actions after it succeeds. A savepoint shares its outer transaction's queue (so
an action inside a rolled-back savepoint still runs when the outer transaction commits).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.connection import get_connection

Action = Callable[[], Awaitable[None]]

log = logging.getLogger(__name__)


def current_transaction() -> TransactionalDBClient | None:
    try:
        connection = get_connection("default")
    except RuntimeError:  # the ORM is not open: no transaction to wait for
        return None
    return connection if isinstance(connection, TransactionalDBClient) else None


async def after_commit(action: Action) -> None:
    """Run `action` now outside a transaction, else once the transaction has committed.
    A failing action is logged, not raised: the change it follows is already committed."""
    transaction = current_transaction()
    if transaction is None:
        await _run(action)
        return
    queued: list[Action] | None = getattr(transaction, "_therapyhub_after_commit", None)
    if queued is None:
        queued = []
        commit = transaction.commit

        async def commit_then_run() -> None:
            await commit()
            while queued:
                await _run(queued.pop(0))

        transaction._therapyhub_after_commit = queued  # type: ignore[attr-defined]
        transaction.commit = commit_then_run  # type: ignore[method-assign]
    queued.append(action)


async def _run(action: Action) -> None:
    try:
        await action()
    except Exception as error:
        # The error's class only: its text may carry a connection's address.
        log.warning("An action after a commit failed (%s); the committed change stands.",
                    type(error).__name__)
