"""iCalendar files, read back with a real parser as a calendar app would."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from timetable.ics import CalendarEvent, Participant, content_type, feed, message


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


SESSION = CalendarEvent(
    uid="0b9f6a52-3c1e-4a8e-9d35-1f2f6a8c7e10",
    starts_at=utc(2026, 3, 30, 8),
    ends_at=utc(2026, 3, 30, 8, 50),
    summary="Psychotherapy with Ásta Jónsdóttir",
    changed_at=utc(2026, 3, 1, 12),
    description="Join from your therapy hub: https://hub.example/sessions/abc",
    url="https://hub.example/sessions/abc",
    organizer=Participant("asta@example.com", "Ásta Jónsdóttir"),
    attendees=(Participant("client@example.com", "Sam Client"),),
)


def only_event(ics: bytes):
    calendar = Calendar.from_ical(ics)
    assert len(calendar.events) == 1
    return calendar, calendar.events[0]


def test_a_booking_email_carries_one_event_to_add():
    calendar, event = only_event(message(SESSION))
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert event["UID"] == SESSION.uid
    assert event.start == utc(2026, 3, 30, 8)
    assert event.end == utc(2026, 3, 30, 8, 50)
    assert event["SUMMARY"] == "Psychotherapy with Ásta Jónsdóttir"
    assert event["DESCRIPTION"] == "Join from your therapy hub: https://hub.example/sessions/abc"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event["CLASS"] == "PRIVATE"
    assert event["DTSTAMP"].dt == utc(2026, 3, 1, 12)
    assert event["ORGANIZER"] == "mailto:asta@example.com"
    assert event["ORGANIZER"].params["CN"] == "Ásta Jónsdóttir"
    assert event["ATTENDEE"] == "mailto:client@example.com"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
    assert b"DTSTART:20260330T080000Z" in message(SESSION)


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence():
    moved = replace(SESSION, starts_at=utc(2026, 3, 31, 8), ends_at=utc(2026, 3, 31, 8, 50),
                    sequence=1, changed_at=utc(2026, 3, 2))
    calendar, event = only_event(message(moved))
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == SESSION.uid
    assert event["SEQUENCE"] == 1
    assert event.start == utc(2026, 3, 31, 8)


def test_a_cancellation_has_method_cancel_and_the_same_uid():
    cancelled = replace(SESSION, cancelled=True, sequence=2, changed_at=utc(2026, 3, 3))
    calendar, event = only_event(message(cancelled))
    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == SESSION.uid
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 2
    assert content_type(cancelled) == 'text/calendar; method=CANCEL; charset="utf-8"'
    assert content_type(SESSION) == 'text/calendar; method=REQUEST; charset="utf-8"'


def test_a_name_with_a_line_break_cannot_add_properties():
    sneaky = replace(SESSION, summary="Coaching\r\nATTACH:https://evil.example/x",
                     organizer=Participant("asta@example.com", "Ásta\r\nATTACH:https://evil"))
    _, event = only_event(message(sneaky))
    assert "ATTACH" not in event
    assert event["SUMMARY"] == "Coaching\r\nATTACH:https://evil.example/x".replace("\r\n", "\n")
    assert event["ORGANIZER"].params["CN"] == "Ásta ATTACH:https://evil"


def test_a_feed_lists_every_session_at_its_time():
    sessions = [
        replace(SESSION, uid=f"session-{n}", starts_at=utc(2026, 3, 16 + 7 * n, 9 - (n >= 2)),
                ends_at=utc(2026, 3, 16 + 7 * n, 9 - (n >= 2), 50))
        for n in range(3)
    ] + [replace(SESSION, uid="session-cancelled", cancelled=True, sequence=1)]
    ics = feed(sessions, name="Therapy hub: my sessions", refresh=timedelta(minutes=30))
    calendar = Calendar.from_ical(ics)
    assert "METHOD" not in calendar
    assert calendar.calendar_name == "Therapy hub: my sessions"
    assert calendar["X-WR-CALNAME"] == "Therapy hub: my sessions"
    assert calendar.refresh_interval == timedelta(minutes=30)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT30M" in ics
    assert b"X-PUBLISHED-TTL:PT30M" in ics
    assert [(e["UID"], e.start, e.end, e["STATUS"]) for e in calendar.events] == [
        ("session-0", utc(2026, 3, 16, 9), utc(2026, 3, 16, 9, 50), "CONFIRMED"),
        ("session-1", utc(2026, 3, 23, 9), utc(2026, 3, 23, 9, 50), "CONFIRMED"),
        ("session-2", utc(2026, 3, 30, 8), utc(2026, 3, 30, 8, 50), "CONFIRMED"),
        ("session-cancelled", utc(2026, 3, 30, 8), utc(2026, 3, 30, 8, 50), "CANCELLED"),
    ]
    assert all("ATTENDEE" not in e and "ORGANIZER" not in e for e in calendar.events)


def test_an_empty_feed_still_parses():
    calendar = Calendar.from_ical(feed([], name="My sessions"))
    assert calendar.events == []
    assert calendar.calendar_name == "My sessions"
