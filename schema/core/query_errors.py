"""Bad arguments to a query field (not a mutation) as a clean GraphQL error.

Mutations answer with `userErrors`; a query field has no payload to put them in, so the use
case's UserErrors become a GraphQL error with `extensions.code` and `extensions.field`, instead
of being masked as unexpected.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from resolvers.core.errors import PublicError, UserErrors

P = ParamSpec("P")
R = TypeVar("R")


def user_errors_as_graphql_errors(resolver: Callable[P, Awaitable[R]]
                                  ) -> Callable[P, Awaitable[R]]:
    @functools.wraps(resolver)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await resolver(*args, **kwargs)
        except UserErrors as raised:
            first = raised.errors[0]
            error = PublicError(" ".join(e.message for e in raised.errors), first.code)
            if first.field:
                error.extensions["field"] = first.field
            raise error from None

    return wrapper
