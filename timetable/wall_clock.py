"""How a wall-clock time in a professional's zone becomes a UTC instant: one policy for all.

Opening hours and recurring sessions are stated in local wall-clock time ("Mondays 09:00 in
Europe/London"), but sessions are stored and compared as UTC instants. Twice a year a zone with
daylight saving has wall times that do not map to exactly one instant:

- **Repeated hour** (clocks go back; 01:30 happens twice in London on the last Sunday of
  October): we take the *first* occurrence (PEP 495 `fold=0`). An opening interval that starts
  or ends inside the repeated hour therefore opens or closes the first time the clock shows that
  time; `01:00-02:00` on that night covers both passes (two hours of real time).
- **Nonexistent hour** (clocks go forward; 01:30 never happens in London on the last Sunday of
  March): we take the instant the clock jumps, i.e. the first instant after the gap. An opening
  interval `01:00-02:00` on that night is empty, `00:00-03:00` lasts two hours, and a weekly
  session at 01:30 falls on 02:00 that week. No wall time the professional did not state is
  ever opened.

Pure: plain values in and out. Everything is compared in UTC; aware datetimes in other zones
are converted first, because Python adds a timedelta to an aware datetime in wall-clock time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

MIDNIGHT = time(0)
"""As the end of an interval, `00:00` means midnight at the end of the day (24:00)."""


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is a programmer error (say which zone it is in)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value!r} has no time zone; pass an aware datetime (UTC).")
    return value.astimezone(UTC)


def utc_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which `zone`'s clocks show `wall` on `day` (policy in the module doc)."""
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    return _jump_instant(naive, zone)


def _jump_instant(naive: datetime, zone: ZoneInfo) -> datetime:
    """The instant the clocks jump over the nonexistent `naive` wall time.

    Read with the offset after the jump (`fold=1`) the wall time lands before the jump; read
    with the offset before it (`fold=0`) it lands after. Bisecting on whole seconds between the
    two finds the jump (tz database transitions are on whole seconds) in at most 17 steps, even
    for a zone that skipped a whole day.
    """
    low = int(naive.replace(tzinfo=zone, fold=1).timestamp())
    high = int(naive.replace(tzinfo=zone, fold=0).timestamp())
    after = datetime.fromtimestamp(high, zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)
