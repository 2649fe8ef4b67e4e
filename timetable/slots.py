"""Bookable start times, and why one proposed start is not bookable.

A start `t` for a session of `length` is bookable when all of these hold (checked in this
order by `refusal`, so the booking use case can name the first that fails):

1. `t` is not in the past (`t >= now`);
2. `t` is within the booking horizon (`t <= now + horizon`);
3. the whole session [t, t + length) lies in open time (it may run across midnight into the
   next date's hours when they touch);
4. `t` is on the slot grid: a whole number of steps after the start of the open piece of its
   date that contains it (so a closure or extra hours start a fresh grid);
5. it overlaps no busy interval (an existing session of the professional or of the client);
6. it keeps `buffer` free from every busy interval on both sides.

The buffer is kept only between sessions, not before closing time. `bookable_starts` and
`refusal` share these rules: every start the first returns, the second accepts.

Pure: plain values in and out, all instants UTC (aware datetimes in other zones are converted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from timetable.availability import Availability, Interval, open_pieces, runs
from timetable.wall_clock import as_utc


class Reason(Enum):
    IN_THE_PAST = "IN_THE_PAST"
    BEYOND_HORIZON = "BEYOND_HORIZON"
    OUTSIDE_HOURS = "OUTSIDE_HOURS"
    NOT_ALIGNED = "NOT_ALIGNED"
    TAKEN = "TAKEN"
    TOO_CLOSE = "TOO_CLOSE"


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    message: str
    """Safe to show, and says what to do."""


def bookable_starts(availability: Availability, *, length: timedelta, busy: Iterable[Interval],
                    start: datetime, end: datetime, now: datetime) -> list[datetime]:
    """Every bookable start time in [start, end), in UTC, earliest first.

    The work is bounded by the horizon, not by the window asked for: nothing before `now` or
    after `now + horizon` is even generated.
    """
    assert length > timedelta(0), "a session has a positive length"
    step = availability.step or length
    low = max(as_utc(start), as_utc(now))
    latest = as_utc(now) + availability.horizon
    high = min(as_utc(end), latest + timedelta(microseconds=1))
    if low >= high:
        return []
    pieces = open_pieces(availability, low, high + length)
    stretches = runs(pieces)
    blocked = _blocked(busy, availability.buffer)
    starts: list[datetime] = []
    stretch, block = 0, 0
    for piece in pieces:
        while stretches[stretch].end <= piece.start:
            stretch += 1
        last = min(piece.end - timedelta(microseconds=1), stretches[stretch].end - length,
                   high - timedelta(microseconds=1))
        t = piece.start if piece.start >= low else piece.start + _steps_up(low - piece.start, step)
        while t <= last:
            while block < len(blocked) and blocked[block].end <= t:
                block += 1
            if block < len(blocked) and blocked[block].start < t + length:
                t += step
                continue
            starts.append(t)
            t += step
    return starts


def refusal(availability: Availability, *, length: timedelta, busy: Iterable[Interval],
            proposed: datetime, now: datetime) -> Refusal | None:
    """None when `proposed` is bookable, else the first rule it breaks (see the module doc).

    To check a reschedule, leave the session being moved out of `busy`.
    """
    assert length > timedelta(0), "a session has a positive length"
    step = availability.step or length
    proposed, now = as_utc(proposed), as_utc(now)
    if proposed < now:
        return Refusal(Reason.IN_THE_PAST, "That time has already passed; choose a later one.")
    if proposed > now + availability.horizon:
        return Refusal(Reason.BEYOND_HORIZON,
                       f"Sessions can be booked at most {_days(availability.horizon)} ahead; "
                       "choose an earlier date.")
    pieces = open_pieces(availability, proposed, proposed + length)
    piece = next((p for p in pieces if p.start <= proposed < p.end), None)
    stretch = next((r for r in runs(pieces) if r.start <= proposed < r.end), None)
    if piece is None or stretch is None or proposed + length > stretch.end:
        return Refusal(Reason.OUTSIDE_HOURS,
                       "That time is outside the opening hours; choose one of the offered times.")
    if (proposed - piece.start) % step:
        return Refusal(Reason.NOT_ALIGNED,
                       f"Sessions start every {_minutes(step)} from the start of the opening "
                       "hours; choose one of the offered times.")
    session = Interval(proposed, proposed + length)
    intervals = [Interval(as_utc(b.start), as_utc(b.end)) for b in busy]
    if any(_overlap(session, b) for b in intervals):
        return Refusal(Reason.TAKEN, "That time is already taken; choose another time.")
    padded = Interval(proposed - availability.buffer, proposed + length + availability.buffer)
    if any(_overlap(padded, b) for b in intervals):
        return Refusal(Reason.TOO_CLOSE,
                       f"That time is too close to another session ({_minutes(availability.buffer)}"
                       " are kept free between sessions); choose another time.")
    return None


def _blocked(busy: Iterable[Interval], buffer: timedelta) -> list[Interval]:
    """Busy intervals widened by the buffer on both sides, sorted and merged."""
    widened = sorted(Interval(as_utc(b.start) - buffer, as_utc(b.end) + buffer) for b in busy)
    return runs(i for i in widened if i.start < i.end)


def _steps_up(span: timedelta, step: timedelta) -> timedelta:
    """The smallest whole number of steps that is at least `span`."""
    return -(-span // step) * step


def _overlap(a: Interval, b: Interval) -> bool:
    return a.start < b.end and b.start < a.end


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _days(span: timedelta) -> str:
    return f"{span.days} day{'s' if span.days != 1 else ''}"



