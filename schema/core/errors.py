"""Errors at the API edge: `userErrors` in payloads, and masking of everything unexpected."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import strawberry
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from resolvers.core import outages
from resolvers.core.errors import ErrorCode, PublicError, UserError, UserErrors
from schema.core.request_errors import code_for, make_safe

log = logging.getLogger("therapyhub.errors")

# strawberry.enum marks the enum class itself; the alias after it is a type to mypy.
strawberry.enum(
    ErrorCode, name="UserErrorCode", description="What kind of failure a UserError is."
)
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
    or a GraphQLError as one) and our PublicErrors are safe to show."""
    original = error.original_error
    return original is None or isinstance(original, PublicError | GraphQLError)


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
                  exc_info=error.original_error)
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
        if _is_public(error) and not isinstance(error.original_error, PublicError):
            code = code_for(execution_context)
            make_safe(error, code, suggestions=suggestions)
            log.info("Request refused (%s) at %s: %s", code,
                     error.path or error.locations, error.message.split("\n", 1)[0])
