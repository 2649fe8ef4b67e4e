"""Events on a person's own topic (`account:<id>`), which their open hub hears (hubUpdates).

Publish inside the transaction of the change: on PostgreSQL the NOTIFY is delivered only if it
commits. Events carry a kind and ids only; the listening stream loads the objects again through
the usual visibility rules, so an event never shows anyone something that is not theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from gateways.events import Events


def topic(account_id: UUID) -> str:
    return f"account:{account_id}"


async def announce(events: Events, account_ids: Iterable[UUID], kind: str,
                   **ids: UUID) -> None:
    """Tell each account (once, even when both sides are one person) that `kind` happened to
    the objects named by `ids` (`engagementId=...`)."""
    event = {"kind": kind, **{name: str(value) for name, value in ids.items()}}
    for account_id in dict.fromkeys(account_ids):
        await events.publish(topic(account_id), event)
