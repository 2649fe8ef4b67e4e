"""What is wrong with a timetable request, as plain values: the use cases turn each into a
`userErrors` entry (resolvers/core/errors.py:from_problems), so this package needs nothing of
ours."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones


@dataclass(frozen=True)
class Problem:
    message: str
    """Safe to show, and says what to do."""
    field: str
    """The input field it is about, in the API's camelCase (`timeZone`, `count`)."""


class InvalidTimetable(ValueError):
    """A request that cannot be expanded into times; `problems` lists every reason at once."""

    def __init__(self, problems: list[Problem]) -> None:
        assert problems, "InvalidTimetable needs at least one problem"
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_problem(zone: str, field: str = "timeZone") -> Problem | None:
    if zone not in _zones():
        return Problem("Use an IANA time zone name, like Europe/London or Atlantic/Reykjavik.",
                       field)
    return None
