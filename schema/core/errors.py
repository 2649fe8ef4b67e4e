"""Errors at the API edge: `userErrors` in payloads, and masking of everything unexpected."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, ParamSpec, TypeVar

import strawberry
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from resolvers.core import outages
from resolvers.core.errors import ErrorCode, PublicError, UserError, UserErrors
from schema.core.enums import described_enum
from schema.core.request_errors import RequestRefused, code_for, make_safe

log = logging.getLogger("therapyhub.errors")

described_enum(ErrorCode, {
    ErrorCode.INVALID_INPUT: "A value is malformed or out of range; `field` names it.",
    ErrorCode.INVALID_CREDENTIALS: "The email and password do not match an account (the same "
                                   "answer whether or not the email exists).",
    ErrorCode.RATE_LIMITED: "Too many attempts in a short time; the message says when to try "
                            "again.",
    ErrorCode.EMAIL_TAKEN: "Another account already uses this email address.",
    ErrorCode.WEAK_PASSWORD: "The new password is too short or too common; ask for another.",
    ErrorCode.INVALID_CODE: "The six-digit authenticator code is wrong or out of date.",
    ErrorCode.CHALLENGE_EXPIRED: "The second-factor step took too long; sign in again.",
    ErrorCode.ALREADY_ENABLED: "Two-step sign-in is already on; turn it off before enrolling a "
                               "new app.",
    ErrorCode.NOT_ENABLED: "Two-step sign-in is not on, so there is nothing to confirm or turn "
                           "off.",
    ErrorCode.NOT_FOUND: "The object does not exist or is not yours (the two look the same).",
    ErrorCode.NOT_ALLOWED: "Signed in, but this account may not do this (for example a client "
                           "calling a professional's mutation).",
    ErrorCode.UNAUTHENTICATED: "Not signed in, or the bearer token has expired: sign in again.",
    ErrorCode.CONFLICT: "Someone changed the same thing at the same time; fetch again and retry.",
    ErrorCode.NOTES_LOCKED: "The notes key is not unlocked in this sign-in; sign in again with "
                            "the password to read or write notes.",
    ErrorCode.NOTES_AT_STAKE: "Going on would leave existing notes unreadable without the notes "
                              "recovery key; the message explains the choice.",
    ErrorCode.INVALID_TOKEN: "The link's token is unknown or mistyped; ask for a new link.",
    ErrorCode.TOKEN_EXPIRED: "The link has expired; ask for a new one.",
    ErrorCode.TOKEN_USED: "The link was already used; it works once.",
    ErrorCode.TOKEN_REVOKED: "The professional withdrew the invitation.",
    ErrorCode.DETAIL_REQUIRED: "The service requires a registration detail or custom answer "
                               "that is missing; `field` names it.",
    ErrorCode.ALREADY_ENGAGED: "The client already has an active or requested engagement for "
                               "this service.",
    ErrorCode.ALREADY_INVITED: "A pending invitation to this email for this service exists; "
                               "resend it instead.",
    ErrorCode.OWN_SERVICE: "A professional cannot become a client of their own service.",
    ErrorCode.SERVICE_ARCHIVED: "The service is archived and takes no new clients or changes.",
    ErrorCode.WRONG_STATUS: "The object's status does not allow this (for example cancelling a "
                            "completed session); fetch it again to see its status.",
    ErrorCode.IN_THE_PAST: "The chosen time has already passed.",
    ErrorCode.BEYOND_HORIZON: "The chosen time is further ahead than the professional takes "
                              "bookings.",
    ErrorCode.OUTSIDE_AVAILABILITY: "The chosen time is outside the professional's opening "
                                    "hours.",
    ErrorCode.NOT_ON_SLOT_GRID: "The chosen start is not one of the offered slot starts; pick "
                                "one from `availableSlots`.",
    ErrorCode.SLOT_TAKEN: "That time was just taken; choose another slot.",
    ErrorCode.TOO_CLOSE: "The time leaves too little break before or after another session.",
    ErrorCode.ENGAGEMENT_NOT_ACTIVE: "The engagement is not active (requested, declined or "
                                     "ended), so no sessions can be booked on it.",
    ErrorCode.SELF_BOOKING_OFF: "The service does not let clients book themselves; the "
                                "professional books.",
    ErrorCode.NOTE_UNREADABLE: "The note cannot be opened, so it can only be replaced whole "
                               "(title and body together) or deleted.",
    ErrorCode.CARD_PAYMENTS_DISABLED: "Card payments are not set up on this server.",
    ErrorCode.CARD_REQUIRED: "The service requires a card on file before booking; add one first.",
    ErrorCode.NO_CARD: "The client has no card on file to charge.",
    ErrorCode.ALREADY_PAID: "The session is already paid (or a payment is in progress).",
    ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE: "The card processor did not answer; nothing was "
                                            "charged, try again shortly.",
    ErrorCode.PAYMENT_REJECTED: "The card processor declined the payment; the message says why.",
    ErrorCode.TOO_EARLY: "The session's call does not open yet; the message says when it opens.",
    ErrorCode.SESSION_OVER: "The session has ended and its call can no longer be joined.",
    ErrorCode.SESSION_NOT_SCHEDULED: "The session was cancelled or closed, so it has no call.",
    ErrorCode.NOT_JOINED: "Call `joinSession` before sending or receiving signals.",
    ErrorCode.SIGNAL_TOO_LARGE: "The signal payload is over the size limit; send a smaller "
                                "message.",
    ErrorCode.EXTERNAL_SIGN_IN_FAILED: "The eID sign-in did not prove who the person is (refused "
                                       "consent, a used or foreign code, a token that failed "
                                       "its checks); start the sign-in again.",
    ErrorCode.PROVIDER_UNAVAILABLE: "The eID provider did not answer; try again shortly.",
    ErrorCode.STRONG_AUTHENTICATION_REQUIRED: "Reading client records needs a strong sign-in: "
                                              "turn on two-step sign-in, or sign in with an eID.",
}, name="UserErrorCode",
    description="What kind of failure a UserError is: stable, so branch on it rather than on "
                "the message. Query fields use the same codes in `extensions.code`.")
UserErrorCode = ErrorCode


@strawberry.type(name="UserError", description="An expected failure the person can fix.")
class UserErrorType:
    message: str = strawberry.field(description="Safe to show; says what to do.")
    code: UserErrorCode = strawberry.field(description="Stable code to branch on.")
    field: str | None = strawberry.field(
        description="The input field it is about (camelCase), when it is about one."
    )

    @classmethod
    def of(cls, error: UserError) -> UserErrorType:
        return cls(message=error.message, code=error.code, field=error.field)


@strawberry.type(description="Common to every mutation payload.")
class Payload:
    user_errors: list[UserErrorType] = strawberry.field(
        default_factory=list,
        description="Empty when the mutation succeeded; otherwise nothing was changed.",
    )


InputT = TypeVar("InputT")
MutationInput = Annotated[InputT, strawberry.argument(
    description="Everything the mutation needs. Values it refuses come back in the payload's "
                "`userErrors` (with `field` naming the input field) and nothing is changed.")]

P = ParamSpec("P")
R = TypeVar("R", bound=Payload)


Resolver = Callable[P, Awaitable[R]]


def user_errors_as(payload: type[R]) -> Callable[[Resolver[P, R]], Resolver[P, R]]:
    """Turn the use case's UserErrors into `payload(userErrors=[...])` for this mutation."""

    def decorate(resolver: Resolver[P, R]) -> Resolver[P, R]:
        @functools.wraps(resolver)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await resolver(*args, **kwargs)
            except UserErrors as error:
                return payload(user_errors=[UserErrorType.of(e) for e in error.errors])

        return wrapper

    return decorate


def _is_public(error: GraphQLError) -> bool:
    """Parse, validation and input-coercion errors (graphql-core's own, with no original error
    or a GraphQLError as one), our PublicErrors and RequestRefused are safe to show."""
    original = error.original_error
    return original is None or isinstance(original, PublicError | GraphQLError | RequestRefused)


class MaskUnexpectedErrors(MaskErrors):
    """Masks every unexpected error, logging it with a reference the person can quote. The
    request's own mistakes were already made safe by `refuse_request_mistakes`."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _is_public(error))

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [error if _is_public(error) else self.anonymise_error(error) for error in errors]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if outages.is_outage(error.original_error):
            return self._unavailable(error)
        reference = secrets.token_hex(6)
        log.error("Unexpected error %s at %s", reference, error.path,
                  exc_info=error.original_error, extra={"reference": reference})
        masked = super().anonymise_error(error)
        masked.message = f"Something went wrong on our side (reference {reference})."
        masked.extensions = {"code": "INTERNAL", "reference": reference}
        return masked

    def _unavailable(self, error: GraphQLError) -> GraphQLError:
        """Temporary, so not masked as a bug: the HTTP answer becomes 503 with Retry-After."""
        log.warning("Database unavailable at %s (%s)", error.path,
                    type(error.original_error).__name__)
        response = getattr(self.execution_context.context, "response", None)
        if isinstance(response, Response):
            response.status_code = 503
            response.headers["Retry-After"] = str(outages.RETRY_AFTER_SECONDS)
        return GraphQLError(outages.MESSAGE, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path,
                            extensions={"code": outages.CODE})


def refuse_request_mistakes(errors: list[GraphQLError],
                            execution_context: ExecutionContext | None, *,
                            suggestions: bool) -> None:
    """Replaces Strawberry's logging of every error with its full message (input values
    included) at ERROR: the request's own mistakes lose their values and get a code, and are
    noted at INFO; unexpected ones are logged, with their reference, by MaskUnexpectedErrors."""
    for error in errors:
        if _is_public(error) and not isinstance(error.original_error,
                                                PublicError | RequestRefused):
            code = code_for(execution_context)
            make_safe(error, code, suggestions=suggestions)
            log.info("Request refused (%s) at %s: %s", code,
                     error.path or error.locations, error.message.split("\n", 1)[0])
