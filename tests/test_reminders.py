"""Reminders go out once, REMINDER_HOURS before a session, however many senders run."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from icalendar import Calendar

from jobs.reminders import send_due_reminders
from models.outbox import OutboxMessage
from models.scheduling import Session
from tests.mailbox import text_of
from tests.scheduling_steps import (
    CANCEL,
    RESCHEDULE,
    book,
    every_day,
    iso,
    parse,
    practice,
    soon,
)


def _reminders(mailbox, address: str):
    return [m for m in mailbox.to(address) if m["Subject"].startswith("Reminder:")]


async def _booked(api, hours_ahead: int = 72):
    setup = await practice(api, weeklyHours=every_day("00:00", "00:00"), timeZone="UTC")
    payload = await book(api, setup.professional, setup.engagement_id, soon(hours_ahead))
    assert payload["userErrors"] == []
    return setup, payload["session"]


async def test_two_senders_in_parallel_send_each_reminder_exactly_once(api, settings, mailbox):
    _, session = await _booked(api)
    start = parse(session["startsAt"])
    too_early = start - timedelta(hours=settings.reminder_hours + 1)
    assert await send_due_reminders(settings, now=too_early) == 0

    due = start - timedelta(hours=settings.reminder_hours - 1)
    first, second = await asyncio.gather(send_due_reminders(settings, now=due),
                                         send_due_reminders(settings, now=due))
    assert sorted([first, second]) == [0, 1]
    assert await send_due_reminders(settings, now=due) == 0
    await asyncio.gather(mailbox.deliver(), mailbox.deliver())
    await mailbox.deliver()

    for address in ("anna@example.com", "sigrun@example.com"):
        reminders = _reminders(mailbox, address)
        assert len(reminders) == 1, address
    reminder = _reminders(mailbox, "anna@example.com")[0]
    assert "Psychological counselling" in text_of(reminder)
    part = next(p for p in reminder.iter_attachments() if p.get_content_type() == "text/calendar")
    assert Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0].decoded(
        "DTSTART") == start


async def test_a_second_enqueue_for_the_same_start_is_refused_by_the_dedupe_key(
        api, settings):
    _, session = await _booked(api)
    start = parse(session["startsAt"])
    due = start - timedelta(hours=1)
    assert await send_due_reminders(settings, now=due) == 1
    await Session.all().update(reminder_due_at=due)  # as if a claim were lost and redone
    assert await send_due_reminders(settings, now=due) == 0
    assert await OutboxMessage.filter(template="session_reminder").count() == 2
    assert (await Session.get()).reminder_due_at is None


async def test_a_moved_session_is_reminded_again_for_its_new_time(api, settings, mailbox):
    setup, session = await _booked(api)
    start = parse(session["startsAt"])
    assert await send_due_reminders(settings, now=start - timedelta(hours=1)) == 1
    new_start = start + timedelta(days=1)
    moved = (await api.data(RESCHEDULE, {"input": {"sessionId": session["id"],
                                                   "startsAt": iso(new_start)}},
                            token=setup.professional))["rescheduleSession"]
    assert moved["userErrors"] == []
    assert await send_due_reminders(settings, now=new_start - timedelta(hours=1)) == 1
    await mailbox.deliver()
    assert len(_reminders(mailbox, "anna@example.com")) == 2


async def test_a_session_booked_inside_the_lead_gets_no_separate_reminder(api, settings):
    _, session = await _booked(api, hours_ahead=3)
    assert (await Session.get()).reminder_due_at is None
    start = parse(session["startsAt"])
    assert await send_due_reminders(settings, now=start - timedelta(hours=1)) == 0


async def test_a_cancelled_session_is_not_reminded(api, settings):
    setup, session = await _booked(api)
    await api.data(CANCEL, {"input": {"sessionId": session["id"]}}, token=setup.client)
    start = parse(session["startsAt"])
    assert await send_due_reminders(settings, now=start - timedelta(hours=1)) == 0
