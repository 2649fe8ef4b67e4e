"""Checks shared by several use cases; each returns a UserError or None."""

from __future__ import annotations

import re
from uuid import UUID

from resolvers.core.errors import UserError, from_problems
from timetable.problems import time_zone_problem

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,32}$")
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


def time_zone_error(zone: str, field: str = "timeZone") -> UserError | None:
    problem = time_zone_problem(zone, field)
    return from_problems([problem])[0] if problem else None


def locale_error(locale: str, field: str = "locale") -> UserError | None:
    if not _LOCALE.match(locale):
        return UserError("Use a language tag like en, is or en-GB.", field=field)
    return None


def phone_error(phone: str, field: str = "phone") -> UserError | None:
    if not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 5:
        return UserError("Enter a phone number, like +354 555 1234.",
                         field=field)
    return None


def text_error(text: str, field: str, *, max_length: int, required: bool = False
               ) -> UserError | None:
    if required and not text.strip():
        return UserError("This cannot be empty.", field=field)
    if len(text) > max_length:
        return UserError(f"Use at most {max_length} characters.", field=field)
    return None


def as_uuid(value: str) -> UUID | None:
    """A node id's UUID, or None when it is not one (never raises on bad input)."""
    try:
        return UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None
