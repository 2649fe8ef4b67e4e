"""Checks shared by several use cases; each returns a UserError or None."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from resolvers.errors import UserError

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
MAX_NAME_LENGTH = 200


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_error(email: str, field: str = "email") -> UserError | None:
    if len(email) > 254 or not _EMAIL.match(email):
        return UserError("Enter a valid email address, like name@example.com.", field=field)
    return None


def name_error(name: str, field: str = "name") -> UserError | None:
    if not name.strip():
        return UserError("Enter a name.", field=field)
    if len(name) > MAX_NAME_LENGTH:
        return UserError(f"Use at most {MAX_NAME_LENGTH} characters.", field=field)
    return None


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_error(zone: str, field: str = "timeZone") -> UserError | None:
    if zone not in _zones():
        return UserError(
            "Use an IANA time zone name, like Europe/London or Atlantic/Reykjavik.", field=field
        )
    return None


def locale_error(locale: str, field: str = "locale") -> UserError | None:
    if not _LOCALE.match(locale):
        return UserError("Use a language tag like en, is or en-GB.", field=field)
    return None
