"""Delivering one email: over SMTP (aiosmtplib), or into a folder when SMTP is not configured.

Failures come back as two exceptions so the outbox knows what to do: `MailDeferred` (the server
is down, busy or says 4xx: try again later) and `MailRejected` (the server refused this message
for good, 5xx: retrying cannot help).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import aiosmtplib

from settings import Settings


class MailDeferred(Exception):
    """Not delivered this time; the same message may succeed later."""


class MailRejected(Exception):
    """The server refused the message permanently."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    """Full MIME type with parameters, e.g. `text/calendar; method=REQUEST; charset="utf-8"`."""
    data: bytes


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    reply_to: str = ""
    message_key: str = ""
    """Stable id (the outbox row's) that becomes the Message-ID, so duplicates are recognisable."""
    attachments: tuple[Attachment, ...] = ()


def build_message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "therapyhub.invalid"
    message["Message-ID"] = (f"<{mail.message_key}@{domain}>" if mail.message_key
                             else make_msgid(domain=domain))
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        _attach(message, attachment)
    return message


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    """Attach with its full content type: calendar apps read the iTIP method from it."""
    kind, _, rest = attachment.content_type.partition(";")
    maintype, _, subtype = kind.strip().partition("/")
    params = {}
    for param in rest.split(";"):
        name, _, value = param.strip().partition("=")
        if name:
            params[name.strip()] = value.strip().strip('"')
    message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                           filename=attachment.filename, params=params)


async def deliver(settings: Settings, mail: Mail) -> None:
    """Send over SMTP when SMTP_HOST is set, otherwise write an .eml file to MAIL_DIR."""
    message = build_message(settings, mail)
    if settings.smtp_configured:
        await _send_smtp(settings, message)
    else:
        await asyncio.to_thread(_write_to_folder, Path(settings.mail_dir), message,
                                mail.message_key)


async def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as error:
        # Only the reply codes: the server's text may echo the address, which must not reach
        # logs or the outbox table in the clear.
        replies = ", ".join(str(refused.code) for refused in error.recipients)
        if all(_permanent(refused.code) for refused in error.recipients):
            raise MailRejected(f"the server refused the recipient ({replies})") from error
        raise MailDeferred(f"the server deferred the recipient ({replies})") from error
    except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as error:
        if _permanent(error.code):
            raise MailRejected(f"the server refused the message ({error.code})") from error
        raise MailDeferred(f"the server deferred the message ({error.code})") from error
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        # Unreachable server, refused connection, bad credentials or sender: none of it is the
        # message's fault, so it is kept and retried once the server or settings are fixed.
        raise MailDeferred(f"cannot send through the SMTP server: {error!r}") from error


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def _write_to_folder(folder: Path, message: EmailMessage, key: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = folder / f"{stamp}-{key or 'message'}.eml"
        path.write_bytes(bytes(message))
        path.chmod(0o600)
    except OSError as error:
        raise MailDeferred(f"cannot write to {folder}: {error}") from error
