"""Who may see a session: its client and its professional, nobody else."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from tortoise.expressions import Q

from models.accounts import Account
from models.scheduling import Session


async def visible_sessions(account: Account | None, ids: Iterable[UUID]) -> dict[UUID, Session]:
    """The sessions among `ids` that this account takes part in; others are simply absent, so a
    stranger's id answers exactly like one that does not exist."""
    if account is None:
        return {}
    found = await Session.filter(
        Q(client_id=account.id) | Q(professional_id=account.id), id__in=list(ids)
    ).select_related("engagement")
    # Not deeper: PostgreSQL cuts aliases at 63 characters, and those of
    # session -> engagement -> service columns are longer (the loaders fetch the rest).
    return {session.id: session for session in found}
