"""How long the pure scheduling rules take for a busy professional.

    .venv/bin/python -m bench.slots

A professional in Europe/London (hours Monday to Friday 08:00-12:00 and 13:00-19:00, Saturday
morning, a day off and a partial closure, 10-minute buffer, 15-minute grid) with 200 sessions of
50 minutes in March 2026 (the month the clocks change). Prints the median and fastest of many
runs for: a month of slots, one start check, a weekly series of 10 checked one by one, and a
feed of the 200 sessions.
"""

from __future__ import annotations

import random
import statistics
import time as clock
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from timetable.availability import Availability, DateException, ExceptionKind, Interval, WeeklyHours
from timetable.ics import CalendarEvent, feed
from timetable.recurrence import series_starts
from timetable.slots import bookable_starts, refusal

LENGTH = timedelta(minutes=50)
MONTH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
NOW = datetime(2026, 2, 28, 12, tzinfo=UTC)
SESSIONS = 200

AVAILABILITY = Availability(
    "Europe/London",
    (*(WeeklyHours(day, time(8), time(12)) for day in range(5)),
     *(WeeklyHours(day, time(13), time(19)) for day in range(5)),
     WeeklyHours(5, time(9), time(13))),
    exceptions=(DateException(date(2026, 3, 13), ExceptionKind.CLOSED),
                DateException(date(2026, 3, 20), ExceptionKind.CLOSED, time(8), time(10))),
    buffer=timedelta(minutes=10),
    step=timedelta(minutes=15),
)


def busy_month(seed: int = 4) -> list[Interval]:
    """200 sessions on the hour (50 minutes plus the 10-minute buffer fill it), chosen at random."""
    hourly = replace(AVAILABILITY, step=timedelta(hours=1))
    on_the_hour = bookable_starts(hourly, length=LENGTH, busy=[], start=MONTH[0], end=MONTH[1],
                                  now=NOW)
    chosen = random.Random(seed).sample(on_the_hour, SESSIONS)
    return sorted(Interval(start, start + LENGTH) for start in chosen)


def timed(label: str, runs: int, work: Callable[[], object]) -> None:
    samples = []
    for _ in range(runs):
        began = clock.perf_counter()
        work()
        samples.append((clock.perf_counter() - began) * 1000)
    print(f"{label:<52} median {statistics.median(samples):7.2f} ms   "
          f"fastest {min(samples):7.2f} ms   ({runs} runs)")


def main() -> None:
    busy = busy_month()
    free = bookable_starts(AVAILABILITY, length=LENGTH, busy=busy, start=MONTH[0], end=MONTH[1],
                           now=NOW)
    print(f"{SESSIONS} existing sessions, {len(free)} bookable starts left in March 2026\n")
    timed("a month of slots, 200 sessions (bookable_starts)", 200,
          lambda: bookable_starts(AVAILABILITY, length=LENGTH, busy=busy, start=MONTH[0],
                                  end=MONTH[1], now=NOW))
    timed("a month of slots, no sessions yet", 200,
          lambda: bookable_starts(AVAILABILITY, length=LENGTH, busy=[], start=MONTH[0],
                                  end=MONTH[1], now=NOW))
    timed("one proposed start (refusal)", 2000,
          lambda: refusal(AVAILABILITY, length=LENGTH, busy=busy, proposed=free[len(free) // 2],
                          now=NOW))

    def series() -> None:
        for start in series_starts(free[0], AVAILABILITY.time_zone, count=10):
            refusal(AVAILABILITY, length=LENGTH, busy=busy, proposed=start, now=NOW)

    timed("weekly series of 10, each occurrence checked", 200, series)
    events = [CalendarEvent(uid=f"session-{n}", starts_at=b.start, ends_at=b.end,
                            summary="Psychotherapy with Ásta Jónsdóttir", changed_at=NOW)
              for n, b in enumerate(busy)]
    timed("calendar feed of the 200 sessions (ics.feed)", 50,
          lambda: feed(events, name="Therapy hub"))


if __name__ == "__main__":
    main()
