"""The outbox: mail is written with its cause, delivered later, retried, never lost or doubled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from tortoise.transactions import in_transaction

from jobs.outbox_sender import deliver_pending
from models.outbox import OutboxMessage, OutboxStatus
from resolvers.core import outbox
from tests.mailbox import REJECTED_DOMAIN, free_port, html_of, token_in
from tests.practice_steps import INVITE, accept_as_new, create_service, invite, professional


def _down(mailbox):
    """The same settings, pointed at a loopback port where no SMTP server listens."""
    return mailbox.settings.with_changes(smtp_port=free_port())


async def test_smtp_down_delays_the_email_never_fails_the_mutation_and_never_loses_it(
        api, mailbox):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    await OutboxMessage.all().delete()  # the sign-up confirmation is not what this is about
    payload = (await api.data(INVITE, {"input": {
        "serviceId": service["id"], "email": "anna@example.com", "name": "Anna",
    }}, token=sigrun))["inviteClient"]
    assert payload["userErrors"] == []

    t0 = datetime.now(UTC)
    report = await deliver_pending(_down(mailbox), now=t0)
    assert (report.sent, report.deferred) == (0, 1)
    message = await OutboxMessage.get()
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == t0 + timedelta(seconds=30)
    assert "cannot send through the SMTP server" in message.last_error

    report = await deliver_pending(_down(mailbox), now=t0 + timedelta(seconds=31))
    assert report.deferred == 1
    message = await OutboxMessage.get()
    assert message.attempts == 2
    assert message.next_attempt_at == t0 + timedelta(seconds=31 + 60)  # back-off doubles

    not_yet = await mailbox.deliver(now=t0 + timedelta(seconds=60))
    assert not_yet.claimed == 0
    assert mailbox.messages == []

    report = await mailbox.deliver(now=t0 + timedelta(seconds=92))
    assert report.sent == 1
    assert len(mailbox.to("anna@example.com")) == 1
    assert (await accept_as_new(api, token_in(mailbox.last("anna@example.com")), service)
            )["userErrors"] == []
    message = await OutboxMessage.get(id=message.id)
    assert message.status is OutboxStatus.SENT
    assert message.content is None
    later = await mailbox.deliver(now=t0 + timedelta(days=1))
    assert later.claimed == 1, "only the acceptance notice to the professional, never it again"
    assert len(mailbox.to("anna@example.com")) == 1
    assert mailbox.last("sigrun@example.com")["Subject"] == "Anna accepted your invitation"


async def test_two_senders_at_once_send_each_message_exactly_once(api, mailbox):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    for n in range(6):
        await invite(api, sigrun, service["id"], email=f"client{n}@example.com", name=f"C{n}")
    expected = await OutboxMessage.all().count()

    reports = await asyncio.gather(*(mailbox.deliver() for _ in range(3)))
    assert sum(report.sent for report in reports) == expected
    ids = [message["Message-ID"] for message in mailbox.messages]
    assert len(ids) == len(set(ids)) == expected
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == expected


async def _change_that_fails_after_writing_its_email(settings):
    async with in_transaction():
        await outbox.enqueue(settings, to="anna@example.com", template="password_changed",
                             locale="en", values={"name": "Anna"})
        raise RuntimeError("the change failed after writing its email")


async def test_mail_of_a_rolled_back_change_is_never_sent(settings, mailbox):
    with pytest.raises(RuntimeError):
        await _change_that_fails_after_writing_its_email(settings)
    assert await OutboxMessage.all().count() == 0
    assert (await mailbox.deliver()).claimed == 0


async def test_content_is_encrypted_at_rest_and_erased_once_sent(api, mailbox):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    await invite(api, sigrun, service["id"])
    stored = (await OutboxMessage.get(template="invitation")).content
    assert stored is not None
    assert b"anna@example.com" not in stored
    assert b"token=" not in stored

    await mailbox.deliver()
    token = token_in(mailbox.last("anna@example.com"))
    assert token.encode() not in stored
    assert await OutboxMessage.filter(content__not_isnull=True).count() == 0


async def test_a_permanently_refused_message_is_kept_as_failed_and_not_retried(api, mailbox):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    await invite(api, sigrun, service["id"], email=f"ghost{REJECTED_DOMAIN}")
    report = await mailbox.deliver()
    assert report.failed == 1
    failed = await OutboxMessage.get(template="invitation")
    assert failed.status is OutboxStatus.FAILED
    assert "550" in failed.last_error
    assert "ghost" not in failed.last_error
    assert failed.content is not None
    assert (await mailbox.deliver(now=datetime.now(UTC) + timedelta(days=2))).claimed == 0


async def test_after_the_last_attempt_the_message_is_kept_as_failed(api, mailbox):
    await professional(api)
    down = _down(mailbox).with_changes(mail_max_attempts=2)
    t0 = datetime.now(UTC)
    assert (await deliver_pending(down, now=t0)).deferred == 1
    assert (await deliver_pending(down, now=t0 + timedelta(hours=1))).failed == 1
    message = await OutboxMessage.get()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 2)
    assert message.content is not None


async def test_a_message_held_by_a_sender_that_died_is_retried_after_its_lease(api, mailbox):
    await professional(api)
    now = datetime.now(UTC)
    await OutboxMessage.all().update(status=OutboxStatus.SENDING, attempts=1,
                                     claimed_until=now + timedelta(minutes=5))
    assert (await mailbox.deliver(now=now)).claimed == 0
    report = await mailbox.deliver(now=now + timedelta(minutes=6))
    assert report.sent == 1
    assert len(mailbox.to("sigrun@example.com")) == 1


async def test_without_smtp_settings_mail_is_written_to_a_folder(api, settings, tmp_path):
    await professional(api)
    folder_settings = settings.with_changes(smtp_host="", mail_dir=str(tmp_path / "mail"))
    assert (await deliver_pending(folder_settings)).sent == 1
    [written] = list((tmp_path / "mail").glob("*.eml"))
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "sigrun@example.com"
    assert message["Subject"] == "Confirm your email address"
    assert "#token=" in html_of(message)  # type: ignore[arg-type]
    assert written.stat().st_mode & 0o077 == 0


async def test_names_and_messages_cannot_inject_html(api, mailbox):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    await invite(api, sigrun, service["id"], name='<img src=x onerror="alert(1)">',
                 message="<b>hi</b>\nsecond line")
    await mailbox.deliver()
    html = html_of(mailbox.last("anna@example.com"))
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;b&gt;hi&lt;/b&gt;<br>second line" in html
