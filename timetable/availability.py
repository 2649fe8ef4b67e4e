"""A professional's availability as plain values, and the UTC intervals it opens.

Weekly opening hours are wall-clock intervals in the professional's IANA zone (several per
weekday); dated exceptions add hours (`OPEN`) or take them away (`CLOSED`, a whole day off when
it has no times). On a date, the open time is the weekly hours plus the extra hours, minus the
closures: a closure always wins, because offering a time the professional said they are away
is worse than missing an opening. DST is handled by `timetable.wall_clock` (read its policy).

Pure: plain values in and out, no database, no settings. `timetable.slots` builds bookable
start times on top of `open_pieces`; `availability_errors` validates what a professional sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from timetable.problems import Problem, time_zone_problem
from timetable.wall_clock import MIDNIGHT, as_utc, utc_instant

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_INTERVALS_PER_DAY = 8
MAX_BUFFER = timedelta(hours=2)
MIN_STEP, MAX_STEP = timedelta(minutes=5), timedelta(hours=4)
MAX_HORIZON = timedelta(days=730)
_DAY_MINUTES = 24 * 60


class Interval(NamedTuple):
    """A half-open UTC interval [start, end): back-to-back intervals do not overlap."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class WeeklyHours:
    """Open from `start` to `end` every `weekday` (0 = Monday, as `date.weekday()`).

    Times are whole minutes on the professional's clock; an `end` of 00:00 means midnight at
    the end of the day. An interval never crosses midnight: split it over two weekdays.
    """

    weekday: int
    start: time
    end: time


class ExceptionKind(Enum):
    OPEN = "OPEN"
    """Extra hours on that date, on top of the weekly ones."""
    CLOSED = "CLOSED"
    """Closed on that date: the whole day when it has no times, else from `start` to `end`."""


@dataclass(frozen=True)
class DateException:
    day: date
    kind: ExceptionKind
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class Availability:
    """Everything that decides when one professional can be booked.

    `buffer` is kept free before and after every existing session; `step` is the distance
    between offered start times (None: the service's length); nothing further ahead than
    `horizon` from now can be booked.
    """

    time_zone: str
    weekly: tuple[WeeklyHours, ...]
    exceptions: tuple[DateException, ...] = ()
    buffer: timedelta = timedelta(0)
    step: timedelta | None = None
    horizon: timedelta = timedelta(days=90)


def open_pieces(availability: Availability, start: datetime, end: datetime) -> list[Interval]:
    """The open UTC intervals of every local date that touches [start, end), sorted.

    Intervals of one date are merged; intervals of consecutive dates are not (so a slot grid
    anchored at a piece's start depends on that date's rules alone, whatever window is asked
    for). `runs` joins touching pieces when a session may run across midnight.
    """
    zone = ZoneInfo(availability.time_zone)
    first = as_utc(start).astimezone(zone).date() - timedelta(days=1)
    last = as_utc(end).astimezone(zone).date() + timedelta(days=1)
    weekly: dict[int, list[tuple[int, int]]] = {}
    for hours in availability.weekly:
        weekly.setdefault(hours.weekday, []).append(_minutes(hours.start, hours.end))
    exceptions: dict[date, list[DateException]] = {}
    for exception in availability.exceptions:
        if first <= exception.day <= last:
            exceptions.setdefault(exception.day, []).append(exception)
    pieces: list[Interval] = []
    day = first
    while day <= last:
        for begin, finish in _day_minutes(weekly.get(day.weekday(), []), exceptions.get(day, [])):
            piece = Interval(_instant(day, begin, zone), _instant(day, finish, zone))
            if piece.start < piece.end:
                pieces.append(piece)
        day += timedelta(days=1)
    return pieces


def runs(pieces: Iterable[Interval]) -> list[Interval]:
    """Sorted pieces with touching or overlapping ones joined: the stretches of open time."""
    joined: list[Interval] = []
    for piece in pieces:
        if joined and piece.start <= joined[-1].end:
            joined[-1] = Interval(joined[-1].start, max(joined[-1].end, piece.end))
        else:
            joined.append(piece)
    return joined


def availability_errors(availability: Availability) -> list[Problem]:
    """Everything wrong with availability a professional sent, so the form marks every field."""
    errors = [e for e in [time_zone_problem(availability.time_zone)] if e]
    per_day: dict[int, list[WeeklyHours]] = {}
    for hours in availability.weekly:
        if not 0 <= hours.weekday <= 6:
            errors.append(Problem("Use a weekday from 0 (Monday) to 6 (Sunday).",
                                  field="weeklyHours"))
            continue
        problem = _interval_problem(hours.start, hours.end)
        if problem:
            errors.append(Problem(f"{WEEKDAYS[hours.weekday]} {_label(hours)}: {problem}",
                                  field="weeklyHours"))
        per_day.setdefault(hours.weekday, []).append(hours)
    for weekday, day_hours in sorted(per_day.items()):
        errors.extend(_day_overlaps(weekday, day_hours))
    for exception in availability.exceptions:
        problem = _exception_problem(exception)
        if problem:
            errors.append(Problem(f"{exception.day.isoformat()}: {problem}", field="exceptions"))
    if not timedelta(0) <= availability.buffer <= MAX_BUFFER:
        errors.append(Problem(f"Use a buffer from 0 to {_in_minutes(MAX_BUFFER)} minutes.",
                              field="bufferMinutes"))
    step = availability.step
    if step is not None and not (MIN_STEP <= step <= MAX_STEP and step % MIN_STEP == timedelta(0)):
        errors.append(Problem(
            f"Use a slot step that is a multiple of 5 minutes, from {_in_minutes(MIN_STEP)} to "
            f"{_in_minutes(MAX_STEP)} minutes.", field="slotStepMinutes"))
    if not timedelta(days=1) <= availability.horizon <= MAX_HORIZON:
        errors.append(Problem(f"Use a booking horizon from 1 to {MAX_HORIZON.days} days.",
                              field="horizonDays"))
    return errors


def _day_minutes(weekly: list[tuple[int, int]],
                 exceptions: list[DateException]) -> list[tuple[int, int]]:
    """One date's open minutes after midnight: weekly plus extra hours, minus closures, merged."""
    opened = list(weekly)
    closed: list[tuple[int, int]] = []
    for exception in exceptions:
        if exception.start is None or exception.end is None:
            assert exception.kind is ExceptionKind.CLOSED, "extra hours need a start and an end"
            closed.append((0, _DAY_MINUTES))
        elif exception.kind is ExceptionKind.OPEN:
            opened.append(_minutes(exception.start, exception.end))
        else:
            closed.append(_minutes(exception.start, exception.end))
    merged: list[tuple[int, int]] = []
    for begin, finish in sorted(opened):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    for gap_begin, gap_end in closed:
        merged = [part for begin, finish in merged
                  for part in ((begin, min(finish, gap_begin)), (max(begin, gap_end), finish))
                  if part[0] < part[1]]
    return merged


def _minutes(start: time, end: time) -> tuple[int, int]:
    finish = _DAY_MINUTES if end == MIDNIGHT else end.hour * 60 + end.minute
    return start.hour * 60 + start.minute, finish


def _instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    if minutes == _DAY_MINUTES:
        return utc_instant(day + timedelta(days=1), MIDNIGHT, zone)
    return utc_instant(day, time(minutes // 60, minutes % 60), zone)


def _interval_problem(start: time | None, end: time | None) -> str | None:
    if start is None or end is None:
        return "give both a start and an end time."
    if any(t.second or t.microsecond for t in (start, end)):
        return "use whole minutes, like 09:00 or 13:30."
    begin, finish = _minutes(start, end)
    if begin >= finish:
        return "the end must be after the start (use 00:00 as the end for midnight)."
    return None


def _exception_problem(exception: DateException) -> str | None:
    if exception.kind is ExceptionKind.CLOSED and exception.start is None and exception.end is None:
        return None
    return _interval_problem(exception.start, exception.end)


def _day_overlaps(weekday: int, day_hours: list[WeeklyHours]) -> list[Problem]:
    if len(day_hours) > MAX_INTERVALS_PER_DAY:
        return [Problem(f"{WEEKDAYS[weekday]}: use at most {MAX_INTERVALS_PER_DAY} intervals.",
                        field="weeklyHours")]
    valid = sorted((h for h in day_hours if not _interval_problem(h.start, h.end)),
                   key=lambda h: _minutes(h.start, h.end))
    errors: list[Problem] = []
    for index, later in enumerate(valid):
        start = _minutes(later.start, later.end)[0]
        earlier = next((h for h in valid[:index] if start < _minutes(h.start, h.end)[1]), None)
        if earlier:
            errors.append(Problem(f"{WEEKDAYS[weekday]} {_label(earlier)} overlaps "
                                  f"{_label(later)}; join them into one interval.",
                                  field="weeklyHours"))
    return errors


def _label(hours: WeeklyHours) -> str:
    return f"{hours.start:%H:%M}-{hours.end:%H:%M}"


def _in_minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)
