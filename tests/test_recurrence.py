"""Series of sessions keep the professional's local wall-clock time.

Expected instants are written out by hand: London is UTC+0 until 29 March 2026 01:00 UTC and
UTC+1 after; New York is UTC-4 until 1 November 2026 06:00 UTC and UTC-5 after; Reykjavik is
UTC+0 all year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from timetable.problems import InvalidTimetable
from timetable.recurrence import series_starts


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_weekly_series_of_ten_keeps_its_local_time_across_the_clock_change():
    starts = series_starts(utc(2026, 3, 16, 9), "Europe/London", count=10)
    assert starts == [
        utc(2026, 3, 16, 9), utc(2026, 3, 23, 9),  # GMT: 09:00 London is 09:00 UTC
        utc(2026, 3, 30, 8), utc(2026, 4, 6, 8), utc(2026, 4, 13, 8), utc(2026, 4, 20, 8),
        utc(2026, 4, 27, 8), utc(2026, 5, 4, 8), utc(2026, 5, 11, 8), utc(2026, 5, 18, 8),
    ]
    london = ZoneInfo("Europe/London")
    assert {s.astimezone(london).strftime("%A %H:%M") for s in starts} == {"Monday 09:00"}


def test_every_other_week_across_the_autumn_change_in_new_york():
    # Monday 19 October 10:00 EDT is 14:00 UTC; after 1 November 10:00 EST is 15:00 UTC.
    starts = series_starts(utc(2026, 10, 19, 14), "America/New_York", every_weeks=2, count=3)
    assert starts == [utc(2026, 10, 19, 14), utc(2026, 11, 2, 15), utc(2026, 11, 16, 15)]


def test_reykjavik_series_never_shift():
    starts = series_starts(utc(2026, 3, 16, 9), "Atlantic/Reykjavik", count=3)
    assert starts == [utc(2026, 3, 16, 9), utc(2026, 3, 23, 9), utc(2026, 3, 30, 9)]


def test_until_is_a_date_on_the_professionals_calendar_and_included():
    # 21:00 Tuesday in New York is 01:00 Wednesday UTC: "until Tuesday 31 March" counts local
    # Tuesdays.
    starts = series_starts(utc(2026, 3, 18, 1), "America/New_York", until=date(2026, 3, 31))
    assert starts == [utc(2026, 3, 18, 1), utc(2026, 3, 25, 1), utc(2026, 4, 1, 1)]


def test_until_the_day_before_the_next_occurrence_stops_there():
    starts = series_starts(utc(2026, 3, 2, 9), "Atlantic/Reykjavik", until=date(2026, 3, 15))
    assert starts == [utc(2026, 3, 2, 9), utc(2026, 3, 9, 9)]


def test_a_start_in_the_hour_that_does_not_exist_moves_to_the_end_of_the_gap():
    # Sundays 01:30 in London: on 29 March 01:30 does not exist; the clock jumps at 01:00 UTC.
    starts = series_starts(utc(2026, 3, 22, 1, 30), "Europe/London", count=3)
    assert starts == [utc(2026, 3, 22, 1, 30), utc(2026, 3, 29, 1), utc(2026, 4, 5, 0, 30)]


def errors_of(*args, **kwargs) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidTimetable) as raised:
        series_starts(*args, **kwargs)
    return [(e.field, e.message) for e in raised.value.problems]


def test_a_series_has_at_most_52_sessions():
    assert len(series_starts(utc(2026, 3, 2, 9), "Europe/London", count=52)) == 52
    assert errors_of(utc(2026, 3, 2, 9), "Europe/London", count=53) == [
        ("count", "A series has 1 to 52 sessions.")]
    assert errors_of(utc(2026, 3, 2, 9), "Europe/London", count=0) == [
        ("count", "A series has 1 to 52 sessions.")]


def test_an_end_date_too_far_away_says_how_many_sessions_that_would_be():
    assert errors_of(utc(2026, 3, 2, 9), "Europe/London", until=date(2027, 3, 1)) == [
        ("until", "Until 2027-03-01 that is 53 sessions, and a series has at most 52; choose "
                  "an earlier end date.")]
    every_other = series_starts(utc(2026, 3, 2, 9), "Europe/London", every_weeks=2,
                                until=date(2027, 3, 1))
    assert len(every_other) == 27


def test_an_end_date_before_the_first_session_is_refused():
    assert errors_of(utc(2026, 3, 2, 9), "Europe/London", until=date(2026, 3, 1)) == [
        ("until", "The series cannot end before its first session; choose a later end date.")]


def test_count_and_until_are_one_or_the_other():
    assert errors_of(utc(2026, 3, 2, 9), "Europe/London") == [(
        "count", "Say how long the series runs: give the number of sessions (count) or the date "
                 "of the last one (until).")]
    assert errors_of(utc(2026, 3, 2, 9), "Europe/London", count=3,
                     until=date(2026, 4, 1)) == [(
        "count", "Give either the number of sessions or the date of the last one, not both.")]


def test_every_problem_is_reported_at_once():
    assert errors_of(datetime(2026, 3, 2, 9), "Mars/Olympus", every_weeks=5, count=99) == [
        ("timeZone", "Use an IANA time zone name, like Europe/London or Atlantic/Reykjavik."),
        ("startsAt", "Give the first session's time with its offset, like "
                     "2026-03-02T09:00:00Z."),
        ("everyWeeks", "Repeat every 1 to 4 weeks (1 is weekly, 2 every other week)."),
        ("count", "A series has 1 to 52 sessions."),
    ]
