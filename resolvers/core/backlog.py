"""How far behind the background work is, for /metrics: the mail waiting in the outbox and the
session reminders past their time. Counts and ages only; nothing about whom they concern."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.functions import Count, Min

from models.outbox import OutboxMessage, OutboxStatus
from models.scheduling import Session, SessionStatus


@dataclass(frozen=True)
class Backlog:
    outbox_waiting: int
    """Messages not sent yet (pending, or being sent)."""
    outbox_failed: int
    """Messages given up on after MAIL_MAX_ATTEMPTS; they need an operator."""
    outbox_oldest_seconds: float
    """Age of the oldest waiting message; 0 when none waits."""
    reminder_lag_seconds: float
    """How long the most overdue reminder has been due; 0 when none is."""


async def backlog(now: datetime | None = None) -> Backlog:
    now = now or datetime.now(UTC)
    waiting = await OutboxMessage.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]
    ).annotate(count=Count("id"), oldest=Min("created_at")).first().values("count", "oldest")
    failed = await OutboxMessage.filter(status=OutboxStatus.FAILED).count()
    overdue = await Session.filter(
        reminder_due_at__lte=now, status=SessionStatus.SCHEDULED, starts_at__gt=now
    ).order_by("reminder_due_at").only("id", "reminder_due_at").first()
    due = overdue.reminder_due_at if overdue else None
    oldest = waiting["oldest"] if waiting else None
    return Backlog(
        outbox_waiting=int(waiting["count"]) if waiting else 0,
        outbox_failed=failed,
        outbox_oldest_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        reminder_lag_seconds=max((now - due).total_seconds(), 0.0) if due else 0.0,
    )
