"""Scheduling: stored availability, booking, changing sessions, their emails and calendar feeds.

The time arithmetic itself (slots, recurrence, iCalendar, wall clock) is pure and lives in
`timetable/`.
"""

__all__ = [
    "availability_settings",
    "booking",
    "calendar_feeds",
    "session_access",
    "session_changes",
    "session_events",
    "session_mail",
    "session_store",
]
