"""Session reminders: an email to both participants `REMINDER_HOURS` before a session.

Sent once even when several app processes run this loop. A process claims a reminder with a
conditional UPDATE (`reminder_due_at` must still be set; row count 1 = this process won) in
the same transaction as the outbox rows, whose dedupe key `reminder:<session>:<start>:<side>`
is unique: even a claim that somehow ran twice cannot enqueue a second copy. A reschedule sets
a new `reminder_due_at`, and its new start makes new keys.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from jobs.loop import poll
from models.scheduling import Session, SessionStatus
from resolvers.scheduling import session_mail
from settings import Settings

log = logging.getLogger("therapyhub.reminders")

BATCH_SIZE = 100


async def send_due_reminders(settings: Settings, *, now: datetime | None = None,
                             limit: int = BATCH_SIZE) -> int:
    """Enqueue the reminders due at `now`; the number this call enqueued (per session).

    Tests call this directly; the app runs it in a loop (`run_reminders`).
    """
    now = now or datetime.now(UTC)
    due = await Session.filter(
        reminder_due_at__lte=now, status=SessionStatus.SCHEDULED, starts_at__gt=now
    ).order_by("reminder_due_at").limit(limit).values_list("id", flat=True)
    enqueued = 0
    for session_id in due:
        try:
            async with in_transaction():
                claimed = await Session.filter(
                    id=session_id, reminder_due_at__isnull=False
                ).update(reminder_due_at=None)
                if not claimed:
                    continue
                session = (await session_mail.load(Session.filter(id=session_id)))[0]
                await session_mail.mail_session(
                    settings, session, "session_reminder",
                    dedupe=f"reminder:{session.id}:{session.starts_at:%Y%m%dT%H%MZ}")
                enqueued += 1
        except IntegrityError:
            # Already enqueued for this start: only the claim is left to record.
            await Session.filter(id=session_id).update(reminder_due_at=None)
    return enqueued


async def run_reminders(settings: Settings, stop: asyncio.Event) -> None:
    """Enqueue due reminders until `stop` is set; the app's lifespan runs this as a task."""

    async def one_round() -> int:
        return await send_due_reminders(settings)

    await poll(one_round, stop=stop, every=settings.reminder_poll_seconds, batch=BATCH_SIZE,
               log=log, what="reminder")
