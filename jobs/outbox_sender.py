"""The outbox sender: delivers the outbox's due messages through SMTP, in the background.

Delivery is at-least-once with a guard against doubles: a sender claims a row with a conditional
UPDATE (status and attempt count must be what it read), so when several app processes poll the
same table each message is taken by exactly one of them. A sender that dies mid-send leaves its
claim to lapse after a lease longer than the SMTP timeout; only then is the message retried.
Temporary failures are retried with exponential back-off; a message is never deleted, and one
that keeps failing is kept as `failed` for an operator to look at.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import orjson
from tortoise.expressions import Q

from crypto import secrets_at_rest
from gateways import mail
from jobs.loop import poll
from models.outbox import OutboxMessage, OutboxStatus
from resolvers.core.outbox import CONTENT_PURPOSE
from settings import Settings

log = logging.getLogger("therapyhub.outbox")

BATCH_SIZE = 100


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def retry_delay(settings: Settings, attempts: int) -> timedelta:
    """Exponential back-off: base, 2x base, 4x base ... capped at MAIL_RETRY_MAX_SECONDS."""
    seconds = settings.mail_retry_base_seconds * 2 ** min(max(attempts - 1, 0), 30)
    return timedelta(seconds=min(seconds, settings.mail_retry_max_seconds))


def claim_lease(settings: Settings) -> timedelta:
    return timedelta(seconds=max(300, 2 * settings.smtp_timeout_seconds))


async def deliver_pending(
    settings: Settings,
    *,
    now: datetime | None = None,
    limit: int = BATCH_SIZE,
    stop: asyncio.Event | None = None,
) -> DeliveryReport:
    """Deliver the messages that are due at `now`; tests call this directly, the app in a loop."""
    now = now or datetime.now(UTC)
    due = await OutboxMessage.filter(
        Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=OutboxStatus.SENDING, claimed_until__lt=now)
    ).order_by("next_attempt_at").limit(limit).values_list("id", "status", "attempts")
    report = DeliveryReport()
    for message_id, status, attempts in due:
        if stop is not None and stop.is_set():
            break
        claimed = await OutboxMessage.filter(
            id=message_id, status=status, attempts=attempts
        ).update(status=OutboxStatus.SENDING, attempts=attempts + 1,
                 claimed_until=now + claim_lease(settings))
        if not claimed:
            continue
        report.claimed += 1
        outcome = await _deliver_one(settings, message_id, attempts + 1, now)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


async def _deliver_one(settings: Settings, message_id: UUID, attempts: int,
                       now: datetime) -> str:
    message = await OutboxMessage.get(id=message_id)
    held = OutboxMessage.filter(id=message_id, status=OutboxStatus.SENDING, attempts=attempts)
    try:
        await mail.deliver(settings, _mail_of(settings, message))
    except mail.MailDeferred as error:
        if attempts >= settings.mail_max_attempts:
            log.error("mail %s failed after %d attempts: %s", message_id, attempts, error)
            await held.update(status=OutboxStatus.FAILED, claimed_until=None,
                              last_error=str(error)[:500])
            return "failed"
        log.warning("mail %s deferred (attempt %d): %s", message_id, attempts, error)
        await held.update(status=OutboxStatus.PENDING, claimed_until=None,
                          next_attempt_at=now + retry_delay(settings, attempts),
                          last_error=str(error)[:500])
        return "deferred"
    except (mail.MailRejected, secrets_at_rest.UndecryptableError) as error:
        log.error("mail %s rejected: %s", message_id, error)
        await held.update(status=OutboxStatus.FAILED, claimed_until=None,
                          last_error=str(error)[:500])
        return "failed"
    await held.update(status=OutboxStatus.SENT, sent_at=datetime.now(UTC), claimed_until=None,
                      content=None, last_error="")
    return "sent"


def _mail_of(settings: Settings, message: OutboxMessage) -> mail.Mail:
    if message.content is None:
        raise secrets_at_rest.UndecryptableError("the message has no content")
    content = orjson.loads(secrets_at_rest.decrypt(
        settings.secret_key, message.content, purpose=CONTENT_PURPOSE
    ))
    if content["id"] != str(message.id):
        raise secrets_at_rest.UndecryptableError("the content belongs to another message")
    attachments = tuple(
        mail.Attachment(filename=a["filename"], content_type=a["content_type"],
                        data=base64.b64decode(a["data"]))
        for a in content.get("attachments", ())
    )
    return mail.Mail(to=content["to"], subject=content["subject"], text=content["text"],
                     html=content["html"], reply_to=content["reply_to"],
                     message_key=str(message.id), attachments=attachments)


async def run_sender(settings: Settings, stop: asyncio.Event) -> None:
    """Deliver due messages until `stop` is set; the app's lifespan runs this as a task."""

    async def one_round() -> int:
        return (await deliver_pending(settings, stop=stop)).claimed

    await poll(one_round, stop=stop, every=settings.mail_poll_seconds, batch=BATCH_SIZE,
               log=log, what="outbox delivery")
