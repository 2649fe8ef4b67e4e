"""Expanding a series of sessions (weekly, every other week, ...) into UTC start times.

Therapy usually runs at the same time every week, so a series keeps the *professional's local
wall-clock time*: a series of Mondays at 09:00 Europe/London starts at 09:00 UTC in winter and
08:00 UTC in summer. A client in a zone whose clocks change on another date sees the time move
for the weeks in between (London and New York differ for about three weeks in March); that is
what a weekly appointment with someone abroad means. A start that falls in a nonexistent or
repeated hour follows the policy of `timetable.wall_clock`.

A series ends after `count` sessions or on `until` (a date on the professional's calendar,
inclusive), never more than `MAX_OCCURRENCES`: a cap on how many rows one call can write.

Pure: plain values in and out; problems are `Problem`s naming the input field to fix.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from timetable.problems import InvalidTimetable, Problem, time_zone_problem
from timetable.wall_clock import as_utc, utc_instant

MAX_OCCURRENCES = 52
MAX_EVERY_WEEKS = 4


def series_starts(first_start: datetime, time_zone: str, *, every_weeks: int = 1,
                  count: int | None = None, until: date | None = None) -> list[datetime]:
    """The UTC start of every session in the series, the first one included, earliest first.

    Raises `InvalidTimetable` (fields `startsAt`, `everyWeeks`, `count`, `until`, `timeZone`)
    when the series is not valid, all problems at once.
    """
    if problems := series_errors(first_start, time_zone, every_weeks=every_weeks, count=count,
                                 until=until):
        raise InvalidTimetable(problems)
    zone = ZoneInfo(time_zone)
    first = as_utc(first_start)
    local = first.astimezone(zone)
    period = timedelta(weeks=every_weeks)
    total = count if count is not None else _count_until(local.date(), until, period)
    return [first] + [utc_instant(local.date() + period * n, local.time(), zone)
                      for n in range(1, total)]


def series_errors(first_start: datetime, time_zone: str, *, every_weeks: int = 1,
                  count: int | None = None, until: date | None = None) -> list[Problem]:
    """Everything wrong with a series request (empty when `series_starts` will succeed)."""
    zone_error = time_zone_problem(time_zone)
    errors = [zone_error] if zone_error else []
    if first_start.tzinfo is None or first_start.utcoffset() is None:
        errors.append(Problem("Give the first session's time with its offset, like "
                              "2026-03-02T09:00:00Z.", field="startsAt"))
    if not 1 <= every_weeks <= MAX_EVERY_WEEKS:
        errors.append(Problem(f"Repeat every 1 to {MAX_EVERY_WEEKS} weeks (1 is weekly, 2 "
                              "every other week).", field="everyWeeks"))
    if count is None and until is None:
        errors.append(Problem("Say how long the series runs: give the number of sessions "
                              "(count) or the date of the last one (until).", field="count"))
    elif count is not None and until is not None:
        errors.append(Problem("Give either the number of sessions or the date of the last "
                              "one, not both.", field="count"))
    elif count is not None and not 1 <= count <= MAX_OCCURRENCES:
        errors.append(Problem(f"A series has 1 to {MAX_OCCURRENCES} sessions.", field="count"))
    if errors or until is None:
        return errors
    first_day = as_utc(first_start).astimezone(ZoneInfo(time_zone)).date()
    if until < first_day:
        return [Problem("The series cannot end before its first session; choose a later "
                        "end date.", field="until")]
    total = _count_until(first_day, until, timedelta(weeks=every_weeks))
    if total > MAX_OCCURRENCES:
        return [Problem(f"Until {until.isoformat()} that is {total} sessions, and a series "
                        f"has at most {MAX_OCCURRENCES}; choose an earlier end date.",
                        field="until")]
    return []


def _count_until(first_day: date, until: date | None, period: timedelta) -> int:
    assert until is not None
    return (until - first_day) // period + 1
