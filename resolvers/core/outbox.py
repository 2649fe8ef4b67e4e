"""The outbox: email is a row written in the same transaction as the change that causes it, then
delivered by the background sender (jobs/outbox_sender.py), so a mutation never waits on (or
fails because of) SMTP and a rolled-back change sends nothing. Only the writing is here."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from uuid import uuid4

import orjson

import emails
from crypto import secrets_at_rest
from gateways import mail
from models.outbox import OutboxMessage
from settings import Settings

CONTENT_PURPOSE = "outbox-message"


async def enqueue(
    settings: Settings,
    *,
    to: str,
    template: str,
    locale: str,
    values: Mapping[str, str],
    reply_to: str = "",
    attachments: Sequence[mail.Attachment] = (),
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Render an email and store it for delivery. Call inside the transaction of its cause.

    The rendered content is encrypted under the server key: it holds single-use links and tells
    who is whose client, so a copy of the database must not reveal it. With a `dedupe_key`, a
    second message with the same key raises IntegrityError (run it in a savepoint).
    """
    rendered = emails.render(template, locale, values)
    message_id = uuid4()
    content = orjson.dumps({
        "id": str(message_id), "to": to, "reply_to": reply_to, "subject": rendered.subject,
        "text": rendered.text, "html": rendered.html,
        "attachments": [{"filename": a.filename, "content_type": a.content_type,
                         "data": base64.b64encode(a.data).decode()} for a in attachments],
    })
    return await OutboxMessage.create(
        id=message_id, template=template, next_attempt_at=datetime.now(UTC),
        content=secrets_at_rest.encrypt(settings.secret_key, content, purpose=CONTENT_PURPOSE),
        dedupe_key=dedupe_key,
    )
