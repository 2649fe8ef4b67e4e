"""How use cases fail.

Exception tree:

    UserFacingError          expected; the message is safe to show and says what to do
    +-- UserErrors           turned into a mutation payload's `userErrors` by the schema
    +-- PublicError          a clean GraphQL error with `extensions.code` (e.g. not signed in)

Anything else is a bug: the schema masks it and logs it with a reference id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from timetable.problems import Problem


class ErrorCode(Enum):
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    RATE_LIMITED = "RATE_LIMITED"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CODE = "INVALID_CODE"
    CHALLENGE_EXPIRED = "CHALLENGE_EXPIRED"
    ALREADY_ENABLED = "ALREADY_ENABLED"
    NOT_ENABLED = "NOT_ENABLED"
    NOT_FOUND = "NOT_FOUND"
    NOT_ALLOWED = "NOT_ALLOWED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    CONFLICT = "CONFLICT"
    NOTES_LOCKED = "NOTES_LOCKED"
    NOTES_AT_STAKE = "NOTES_AT_STAKE"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_USED = "TOKEN_USED"
    TOKEN_REVOKED = "TOKEN_REVOKED"
    DETAIL_REQUIRED = "DETAIL_REQUIRED"
    ALREADY_ENGAGED = "ALREADY_ENGAGED"
    ALREADY_INVITED = "ALREADY_INVITED"
    OWN_SERVICE = "OWN_SERVICE"
    SERVICE_ARCHIVED = "SERVICE_ARCHIVED"
    WRONG_STATUS = "WRONG_STATUS"
    IN_THE_PAST = "IN_THE_PAST"
    BEYOND_HORIZON = "BEYOND_HORIZON"
    OUTSIDE_AVAILABILITY = "OUTSIDE_AVAILABILITY"
    NOT_ON_SLOT_GRID = "NOT_ON_SLOT_GRID"
    SLOT_TAKEN = "SLOT_TAKEN"
    TOO_CLOSE = "TOO_CLOSE"
    ENGAGEMENT_NOT_ACTIVE = "ENGAGEMENT_NOT_ACTIVE"
    SELF_BOOKING_OFF = "SELF_BOOKING_OFF"
    NOTE_UNREADABLE = "NOTE_UNREADABLE"
    CARD_PAYMENTS_DISABLED = "CARD_PAYMENTS_DISABLED"
    CARD_REQUIRED = "CARD_REQUIRED"
    NO_CARD = "NO_CARD"
    ALREADY_PAID = "ALREADY_PAID"
    PAYMENT_PROVIDER_UNAVAILABLE = "PAYMENT_PROVIDER_UNAVAILABLE"
    PAYMENT_REJECTED = "PAYMENT_REJECTED"
    TOO_EARLY = "TOO_EARLY"
    SESSION_OVER = "SESSION_OVER"
    SESSION_NOT_SCHEDULED = "SESSION_NOT_SCHEDULED"
    NOT_JOINED = "NOT_JOINED"
    SIGNAL_TOO_LARGE = "SIGNAL_TOO_LARGE"
    EXTERNAL_SIGN_IN_FAILED = "EXTERNAL_SIGN_IN_FAILED"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"
    STRONG_AUTHENTICATION_REQUIRED = "STRONG_AUTHENTICATION_REQUIRED"


@dataclass(frozen=True)
class UserError:
    message: str
    code: ErrorCode = ErrorCode.INVALID_INPUT
    field: str | None = None
    """The input field it is about, in the API's camelCase (`password`, `timeZone`)."""


class UserFacingError(Exception):
    pass


class UserErrors(UserFacingError):
    def __init__(self, *errors: UserError) -> None:
        assert errors, "UserErrors needs at least one error"
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


def fail(message: str, code: ErrorCode = ErrorCode.INVALID_INPUT,
         field: str | None = None) -> UserErrors:
    """Raise a single user error: `raise fail(...)` reads as what happens."""
    return UserErrors(UserError(message=message, code=code, field=field))


class PublicError(UserFacingError):
    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message)
        self.code = code
        self.extensions = {"code": code.value}
        """graphql-core copies an original error's `extensions` into the response."""


def not_signed_in() -> PublicError:
    return PublicError("Sign in to continue.", ErrorCode.UNAUTHENTICATED)


def from_problems(problems: Iterable[Problem]) -> list[UserError]:
    """The pure packages' problems (timetable/problems.py) as this API's user errors."""
    return [UserError(problem.message, field=problem.field) for problem in problems]


def check(errors: list[UserError]) -> None:
    """Raise all collected validation errors at once, so a form can mark every bad field."""
    if errors:
        raise UserErrors(*errors)
