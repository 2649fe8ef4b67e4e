"""iCalendar (RFC 5545) files: one session for an email attachment, or a subscription feed.

What goes in an event is decided by the caller, and it leaves calendars we do not control
(phones, work calendars shared with colleagues, mail servers). Give the service title and the
other person's name at most: never notes, reasons or anything else about someone's health.
Every event is marked `CLASS:PRIVATE`, so a calendar shared with others shows only "busy".

Times are written in UTC (`...Z`): no VTIMEZONE is needed and every client shows them in its own
zone. Each session is its own event with a stable UID (the session id) rather than one event
with an RRULE: occurrences of a series are cancelled and moved one by one.

A download ("Add to calendar") is one event without METHOD, organizer or attendees.
An email carries an iTIP message (RFC 5546): `METHOD:REQUEST` for a new or changed session,
`METHOD:CANCEL` (with `STATUS:CANCELLED`) when it is cancelled; the UID stays the same and the
caller raises `sequence` on every change, so the calendar app updates its copy instead of adding
one. Attendees are asked for no reply (`RSVP=FALSE`): the answer to a booking is given in the
app. A feed has no METHOD, carries no organizer or attendees (it is the owner's own calendar)
and hints how often to refresh.

Pure: plain dataclasses in, bytes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration

from timetable.wall_clock import as_utc

PRODUCT_ID = "-//Therapy hub//Sessions//EN"


@dataclass(frozen=True)
class Participant:
    email: str
    name: str | None = None


@dataclass(frozen=True)
class CalendarEvent:
    """One session as a calendar sees it.

    `uid` must stay the same for the life of the session (use its id); `sequence` goes up by one
    on every change the participants should see (moved, cancelled); `changed_at` is when this
    version was made (DTSTAMP).
    """

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    changed_at: datetime
    sequence: int = 0
    cancelled: bool = False
    description: str | None = None
    url: str | None = None
    organizer: Participant | None = None
    attendees: tuple[Participant, ...] = ()


def method(event: CalendarEvent) -> str:
    """The iTIP method an email about this event carries: REQUEST, or CANCEL once cancelled."""
    return "CANCEL" if event.cancelled else "REQUEST"


def content_type(event: CalendarEvent) -> str:
    """The MIME type of the email attachment; mail clients read the method from it."""
    return f'text/calendar; method={method(event)}; charset="utf-8"'


def message(event: CalendarEvent) -> bytes:
    """A VCALENDAR with this one event, to attach to the email about it."""
    calendar = _calendar()
    calendar.add("METHOD", method(event))
    calendar.add_component(_event(event, with_people=True))
    return calendar.to_ical()


def download(event: CalendarEvent) -> bytes:
    """An "Add to calendar" file with this one event: no METHOD, since it is imported rather
    than answered, and no organizer or attendees, as in a feed (it goes to the owner's own
    calendar). The UID is the one emails and feeds use, so importing it again updates it."""
    calendar = _calendar()
    calendar.add_component(_event(event, with_people=False))
    return calendar.to_ical()


def feed(events: Iterable[CalendarEvent], *, name: str,
         refresh: timedelta = timedelta(hours=1)) -> bytes:
    """A subscription feed: every event given, named `name`, refreshed about every `refresh`.

    REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL (Apple, Outlook) are hints; clients poll
    on their own schedule (Google every few hours at best).
    """
    calendar = _calendar()
    calendar.calendar_name = name
    calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    for event in events:
        calendar.add_component(_event(event, with_people=False))
    return calendar.to_ical()


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODUCT_ID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    return calendar


def _event(event: CalendarEvent, *, with_people: bool) -> Event:
    assert event.uid, "a calendar event needs a stable UID"
    starts_at, ends_at = as_utc(event.starts_at), as_utc(event.ends_at)
    assert starts_at < ends_at, "an event ends after it starts"
    component = Event()
    component.add("UID", event.uid)
    component.add("DTSTAMP", as_utc(event.changed_at))
    component.add("SEQUENCE", event.sequence)
    component.add("DTSTART", starts_at)
    component.add("DTEND", ends_at)
    component.add("SUMMARY", event.summary)
    component.add("STATUS", "CANCELLED" if event.cancelled else "CONFIRMED")
    component.add("CLASS", "PRIVATE")
    if event.description:
        component.add("DESCRIPTION", event.description)
    if event.url:
        component.add("URL", event.url)
    if with_people and event.organizer:
        component.add("ORGANIZER", _address(event.organizer))
    if with_people:
        for attendee in event.attendees:
            component.add("ATTENDEE", _address(attendee, role="REQ-PARTICIPANT", rsvp=False))
    return component


def _address(person: Participant, *, role: str | None = None,
             rsvp: bool | None = None) -> vCalAddress:
    name = " ".join(person.name.split()) if person.name else None
    return vCalAddress.new(person.email, cn=name, role=role, rsvp=rsvp)
