"""Who may see a session or a series: its client and its professional, nobody else."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from tortoise.expressions import Q

from models.accounts import Account
from models.scheduling import Session, SessionSeries


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


async def visible_series(account: Account | None, ids: Iterable[UUID]
                         ) -> dict[UUID, SessionSeries]:
    """The series among `ids` whose engagement this account is the client or professional of."""
    if account is None:
        return {}
    found = await SessionSeries.filter(id__in=list(ids)).select_related(
        "engagement__service__professional")
    return {series.id: series for series in found if account.id in (
        series.engagement.client_id, series.engagement.service.professional.account_id)}


async def sessions_of_series(series: SessionSeries) -> list[Session]:
    """Every session of a series, earliest first, whatever its status. Reached only through a
    series the viewer may see (`visible_series`, or one of their sessions)."""
    return await Session.filter(series_id=series.id).order_by("starts_at", "id")
