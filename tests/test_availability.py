"""Opening hours, bookable slots and start checks.

Expected instants are written out by hand from the published clock changes, never computed by
the code under test:
- Europe/London: GMT (UTC+0) until 01:00 UTC on 29 March 2026, then BST (UTC+1) until
  01:00 UTC on 25 October 2026.
- America/New_York: EST (UTC-5) until 2026-03-08 02:00 local, EDT (UTC-4) until 2026-11-01
  02:00 local.
- Atlantic/Reykjavik: UTC+0 all year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from timetable.availability import (
    Availability,
    DateException,
    ExceptionKind,
    Interval,
    WeeklyHours,
    availability_errors,
)
from timetable.slots import Reason, bookable_starts, refusal

HOUR = timedelta(hours=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def weekdays(zone: str, start: time = time(9), end: time = time(17), **rules) -> Availability:
    """Monday to Friday, `start`-`end` on the zone's clock."""
    return Availability(zone, tuple(WeeklyHours(d, start, end) for d in range(5)), **rules)


def hourly(day: datetime, first: int, last: int) -> list[datetime]:
    return [day.replace(hour=h) for h in range(first, last + 1)]


def slots(availability: Availability, start: datetime, end: datetime, *,
          length: timedelta = HOUR, busy: tuple[Interval, ...] = (),
          now: datetime | None = None) -> list[datetime]:
    """The bookable starts in [start, end); `now` is the day before the window unless given."""
    return bookable_starts(availability, length=length, busy=busy, start=start, end=end,
                           now=now or start - timedelta(days=1))


def test_london_opening_hours_keep_local_time_when_clocks_go_forward():
    # Friday 27 March is GMT: 09:00 local is 09:00 UTC. Monday 30 March is BST: 08:00 UTC.
    found = slots(weekdays("Europe/London"), utc(2026, 3, 27), utc(2026, 3, 31))
    assert found == hourly(utc(2026, 3, 27), 9, 16) + hourly(utc(2026, 3, 30), 8, 15)


def test_london_opening_hours_keep_local_time_when_clocks_go_back():
    # Friday 23 October is BST: 08:00 UTC. Monday 26 October is GMT: 09:00 UTC.
    found = slots(weekdays("Europe/London"), utc(2026, 10, 23), utc(2026, 10, 27))
    assert found == hourly(utc(2026, 10, 23), 8, 15) + hourly(utc(2026, 10, 26), 9, 16)


def test_new_york_opening_hours_keep_local_time_across_both_changes():
    spring = slots(weekdays("America/New_York"), utc(2026, 3, 6), utc(2026, 3, 10))
    # Friday 6 March EST: 09:00 local = 14:00 UTC; Monday 9 March EDT: 13:00 UTC.
    assert spring == hourly(utc(2026, 3, 6), 14, 21) + hourly(utc(2026, 3, 9), 13, 20)
    autumn = slots(weekdays("America/New_York"), utc(2026, 10, 30), utc(2026, 11, 3))
    # Friday 30 October EDT: 13:00 UTC; Monday 2 November EST: 14:00 UTC.
    assert autumn == hourly(utc(2026, 10, 30), 13, 20) + hourly(utc(2026, 11, 2), 14, 21)


def test_reykjavik_has_no_shift_when_europe_changes_its_clocks():
    found = slots(weekdays("Atlantic/Reykjavik"), utc(2026, 3, 27), utc(2026, 3, 31))
    assert found == hourly(utc(2026, 3, 27), 9, 16) + hourly(utc(2026, 3, 30), 9, 16)


def test_the_hour_that_does_not_exist_is_never_open():
    # Sunday 29 March 2026 in London: 00:59:59 GMT is followed by 02:00 BST (01:00 UTC).
    night = Availability("Europe/London", (WeeklyHours(6, time(0), time(3)),))
    assert slots(night, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)) == [
        utc(2026, 3, 29, 0),  # 00:00 GMT
        utc(2026, 3, 29, 1),  # 02:00 BST, the first instant after the gap
    ]
    inside_gap = Availability("Europe/London", (WeeklyHours(6, time(1), time(2)),))
    assert slots(inside_gap, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)) == []
    half = timedelta(minutes=30)
    into_gap = Availability("Europe/London", (WeeklyHours(6, time(0, 30), time(1, 30)),))
    assert slots(into_gap, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12), length=half) == [
        utc(2026, 3, 29, 0, 30)]  # 00:30 GMT; 01:00-01:30 never shows on the clock
    out_of_gap = Availability("Europe/London", (WeeklyHours(6, time(1, 30), time(2, 30)),))
    assert slots(out_of_gap, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12), length=half) == [
        utc(2026, 3, 29, 1)]  # 02:00 BST; open until 02:30 BST


def test_the_repeated_hour_is_open_both_times_the_clock_shows_it():
    # Sunday 25 October 2026 in London: 01:00-02:00 happens in BST, then again in GMT.
    night = Availability("Europe/London", (WeeklyHours(6, time(0), time(3)),))
    assert slots(night, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == [
        utc(2026, 10, 24, 23),  # 00:00 BST
        utc(2026, 10, 25, 0),  # 01:00 BST
        utc(2026, 10, 25, 1),  # 01:00 GMT
        utc(2026, 10, 25, 2),  # 02:00 GMT
    ]
    repeated = Availability("Europe/London", (WeeklyHours(6, time(1), time(2)),))
    assert slots(repeated, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == [
        utc(2026, 10, 25, 0),  # 01:00 BST, the first time the clock shows 01:00
        utc(2026, 10, 25, 1),  # 01:00 GMT, the second time
    ]


def test_a_busy_session_removes_the_slots_it_overlaps():
    mornings = weekdays("Atlantic/Reykjavik", time(9), time(12), step=timedelta(minutes=15))
    busy = (Interval(utc(2026, 3, 2, 10), utc(2026, 3, 2, 10, 45)),)
    found = slots(mornings, utc(2026, 3, 2), utc(2026, 3, 3), length=timedelta(minutes=45),
                  busy=busy)
    assert found == [utc(2026, 3, 2, 9), utc(2026, 3, 2, 9, 15), utc(2026, 3, 2, 10, 45),
                     utc(2026, 3, 2, 11), utc(2026, 3, 2, 11, 15)]


def test_the_buffer_keeps_time_free_on_both_sides_of_a_busy_session():
    mornings = weekdays("Atlantic/Reykjavik", time(9), time(12), step=timedelta(minutes=15),
                        buffer=timedelta(minutes=15))
    busy = (Interval(utc(2026, 3, 2, 10), utc(2026, 3, 2, 10, 45)),)
    found = slots(mornings, utc(2026, 3, 2), utc(2026, 3, 3), length=timedelta(minutes=45),
                  busy=busy)
    # 09:15 would end at 10:00 with no gap; 10:45 would start with no gap.
    assert found == [utc(2026, 3, 2, 9), utc(2026, 3, 2, 11), utc(2026, 3, 2, 11, 15)]


def test_the_buffer_applies_to_a_session_outside_opening_hours():
    mornings = weekdays("Atlantic/Reykjavik", time(9), time(11), buffer=timedelta(minutes=10))
    busy = (Interval(utc(2026, 3, 2, 8), utc(2026, 3, 2, 9)),)
    assert slots(mornings, utc(2026, 3, 2), utc(2026, 3, 3), busy=busy) == [utc(2026, 3, 2, 10)]


def test_a_day_off_has_no_slots():
    day_off = DateException(date(2026, 3, 3), ExceptionKind.CLOSED)
    hours = weekdays("Atlantic/Reykjavik", time(9), time(11), exceptions=(day_off,))
    assert slots(hours, utc(2026, 3, 2), utc(2026, 3, 5)) == [
        utc(2026, 3, 2, 9), utc(2026, 3, 2, 10), utc(2026, 3, 4, 9), utc(2026, 3, 4, 10)]


def test_extra_hours_open_a_date_outside_the_weekly_hours():
    saturday = DateException(date(2026, 3, 7), ExceptionKind.OPEN, time(10), time(12))
    hours = weekdays("Europe/London", exceptions=(saturday,))
    assert slots(hours, utc(2026, 3, 7), utc(2026, 3, 8)) == [utc(2026, 3, 7, 10),
                                                               utc(2026, 3, 7, 11)]


def test_a_partial_closure_removes_its_hours_and_restarts_the_grid():
    dentist = DateException(date(2026, 3, 2), ExceptionKind.CLOSED, time(9), time(10, 30))
    hours = weekdays("Atlantic/Reykjavik", time(9), time(14), exceptions=(dentist,))
    assert slots(hours, utc(2026, 3, 2), utc(2026, 3, 3)) == [
        utc(2026, 3, 2, 10, 30), utc(2026, 3, 2, 11, 30), utc(2026, 3, 2, 12, 30)]


def test_a_closure_wins_over_extra_hours_on_the_same_date():
    extra = DateException(date(2026, 3, 2), ExceptionKind.OPEN, time(17), time(19))
    closed = DateException(date(2026, 3, 2), ExceptionKind.CLOSED, time(16), time(18))
    hours = weekdays("Atlantic/Reykjavik", exceptions=(extra, closed))
    assert slots(hours, utc(2026, 3, 2), utc(2026, 3, 3)) == [
        *hourly(utc(2026, 3, 2), 9, 15), utc(2026, 3, 2, 18)]


def test_exceptions_are_dates_on_the_professionals_clock():
    # Monday 2 March 09:00-17:00 in New York is 14:00-22:00 UTC, all of it on that local date.
    day_off = DateException(date(2026, 3, 2), ExceptionKind.CLOSED)
    hours = weekdays("America/New_York", exceptions=(day_off,))
    assert slots(hours, utc(2026, 3, 2), utc(2026, 3, 4)) == hourly(utc(2026, 3, 3), 14, 21)


def test_a_session_may_run_across_midnight_when_the_hours_touch():
    late = Availability("Atlantic/Reykjavik", (WeeklyHours(5, time(20), time(0)),
                                               WeeklyHours(6, time(0), time(2))), step=HOUR)
    found = slots(late, utc(2026, 3, 7), utc(2026, 3, 9), length=2 * HOUR)
    assert found == [utc(2026, 3, 7, 20), utc(2026, 3, 7, 21), utc(2026, 3, 7, 22),
                     utc(2026, 3, 7, 23), utc(2026, 3, 8, 0)]


def test_past_slots_and_slots_beyond_the_horizon_are_not_offered():
    hours = weekdays("Atlantic/Reykjavik", step=timedelta(minutes=30), horizon=timedelta(days=2))
    now = utc(2026, 3, 2, 15, 10)
    found = slots(hours, utc(2026, 3, 1), utc(2026, 3, 10), now=now)
    assert found[0] == utc(2026, 3, 2, 15, 30)
    assert found[-1] == utc(2026, 3, 4, 15, 0)  # now + 2 days is 15:10 on Wednesday


def test_no_slots_when_the_window_is_entirely_in_the_past():
    hours = weekdays("Atlantic/Reykjavik")
    assert slots(hours, utc(2026, 3, 2), utc(2026, 3, 3), now=utc(2026, 3, 4)) == []


def check(availability: Availability, proposed: datetime, *, busy: tuple[Interval, ...] = (),
          now: datetime | None = None, length: timedelta = HOUR) -> Reason | None:
    found = refusal(availability, length=length, busy=busy, proposed=proposed,
                    now=now or proposed - timedelta(days=1))
    return found.reason if found else None


def test_a_proposed_start_is_refused_with_the_rule_it_breaks():
    hours = weekdays("Europe/London", horizon=timedelta(days=30), buffer=timedelta(minutes=10))
    busy = (Interval(utc(2026, 3, 2, 12), utc(2026, 3, 2, 13)),)
    now = utc(2026, 3, 2, 9, 30)
    assert check(hours, utc(2026, 3, 2, 14), busy=busy, now=now) is None
    assert check(hours, utc(2026, 3, 2, 9), busy=busy, now=now) is Reason.IN_THE_PAST
    assert check(hours, utc(2026, 4, 6, 9), busy=busy, now=now) is Reason.BEYOND_HORIZON
    assert check(hours, utc(2026, 3, 2, 16, 30), busy=busy, now=now) is Reason.OUTSIDE_HOURS
    assert check(hours, utc(2026, 3, 7, 10), busy=busy, now=now) is Reason.OUTSIDE_HOURS
    assert check(hours, utc(2026, 3, 2, 10, 15), busy=busy, now=now) is Reason.NOT_ALIGNED
    assert check(hours, utc(2026, 3, 2, 12), busy=busy, now=now) is Reason.TAKEN
    assert check(hours, utc(2026, 3, 2, 11), busy=busy, now=now) is Reason.TOO_CLOSE


def test_a_refusal_says_what_to_do():
    hours = weekdays("Europe/London", buffer=timedelta(minutes=10), horizon=timedelta(days=30))
    busy = (Interval(utc(2026, 3, 2, 12), utc(2026, 3, 2, 13)),)
    now = utc(2026, 3, 1)
    too_close = refusal(hours, length=HOUR, busy=busy, proposed=utc(2026, 3, 2, 11), now=now)
    assert too_close is not None
    assert too_close.message == ("That time is too close to another session (10 minutes are "
                                 "kept free between sessions); choose another time.")
    beyond = refusal(hours, length=HOUR, busy=(), proposed=utc(2026, 6, 1, 9), now=now)
    assert beyond is not None
    assert beyond.message == "Sessions can be booked at most 30 days ahead; choose an earlier date."


def test_every_offered_slot_passes_the_check_and_no_other_grid_time_does():
    hours = weekdays("Europe/London", time(8), time(18), step=timedelta(minutes=15),
                     buffer=timedelta(minutes=10), horizon=timedelta(days=10),
                     exceptions=(DateException(date(2026, 3, 30), ExceptionKind.CLOSED,
                                               time(12), time(13, 5)),))
    busy = (Interval(utc(2026, 3, 27, 10), utc(2026, 3, 27, 10, 50)),
            Interval(utc(2026, 3, 30, 14, 20), utc(2026, 3, 30, 15, 10)))
    now = utc(2026, 3, 26, 12, 7)
    length = timedelta(minutes=50)
    offered = set(slots(hours, utc(2026, 3, 26), utc(2026, 4, 2), length=length, busy=busy,
                        now=now))
    assert len(offered) > 100
    candidate = utc(2026, 3, 26)
    while candidate < utc(2026, 4, 2):
        accepted = check(hours, candidate, busy=busy, now=now, length=length) is None
        assert accepted == (candidate in offered), candidate
        candidate += timedelta(minutes=5)


def test_times_in_other_zones_are_compared_as_instants():
    hours = weekdays("Europe/London")
    in_new_york = datetime(2026, 3, 30, 4, tzinfo=ZoneInfo("America/New_York"))
    # 04:00 EDT is 08:00 UTC, 09:00 BST in London.
    assert check(hours, in_new_york) is None


def test_naive_datetimes_are_refused_as_a_programming_error():
    with pytest.raises(ValueError, match="no time zone"):
        slots(weekdays("Europe/London"), datetime(2026, 3, 2), utc(2026, 3, 3))


def test_valid_availability_has_no_errors():
    hours = weekdays("Europe/London", buffer=timedelta(minutes=10), step=timedelta(minutes=30),
                     exceptions=(DateException(date(2026, 3, 3), ExceptionKind.CLOSED),
                                 DateException(date(2026, 3, 7), ExceptionKind.OPEN, time(10),
                                               time(0))))
    assert availability_errors(hours) == []


def test_availability_errors_name_every_problem():
    hours = Availability(
        "Europe/Londres",
        (WeeklyHours(0, time(9), time(12)), WeeklyHours(0, time(11), time(13)),
         WeeklyHours(1, time(17), time(9)), WeeklyHours(2, time(9, 0, 30), time(10)),
         WeeklyHours(7, time(9), time(10))),
        exceptions=(DateException(date(2026, 3, 7), ExceptionKind.OPEN),),
        buffer=timedelta(hours=3), step=timedelta(minutes=7), horizon=timedelta(0))
    assert [(e.field, e.message) for e in availability_errors(hours)] == [
        ("timeZone", "Use an IANA time zone name, like Europe/London or Atlantic/Reykjavik."),
        ("weeklyHours", "Tuesday 17:00-09:00: the end must be after the start (use 00:00 as "
                        "the end for midnight)."),
        ("weeklyHours", "Wednesday 09:00-10:00: use whole minutes, like 09:00 or 13:30."),
        ("weeklyHours", "Use a weekday from 0 (Monday) to 6 (Sunday)."),
        ("weeklyHours", "Monday 09:00-12:00 overlaps 11:00-13:00; join them into one "
                        "interval."),
        ("exceptions", "2026-03-07: give both a start and an end time."),
        ("bufferMinutes", "Use a buffer from 0 to 120 minutes."),
        ("slotStepMinutes", "Use a slot step that is a multiple of 5 minutes, from 5 to 240 "
                            "minutes."),
        ("horizonDays", "Use a booking horizon from 1 to 730 days."),
    ]
