"""The request's own mistakes (syntax, validation, variables) as safe, coded GraphQL errors.

graphql-core quotes what it rejects: `Found: { email: "…", password: "…" }`, `Int cannot
represent non-integer value: "…"`, `Syntax Error: Unexpected Name "…"`. A request value may be
a password, a national id or note text, and these messages are shown and logged; so each message
is rebuilt from its kind, keeping the type, field, argument and variable names (the schema's and
the document's) but no value. Its "Did you mean" suggestions rebuild the schema by guessing, so
production drops them everywhere: fields, types, arguments, enum values and input fields.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphql import GraphQLError
    from strawberry.types import ExecutionContext

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_REQUEST = "BAD_REQUEST"


class RequestRefused(Exception):
    """A request refused before it ran, for a reason of our own (not graphql-core's): its
    message is ours and quotes nothing the request sent, and `code` goes to `extensions`."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.extensions = {"code": code}
        """graphql-core copies an original error's `extensions` into the response."""

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
# "Variable '$input' has invalid value at .email: …" / "Argument 'first' has invalid value: …"
_PREFIX = re.compile(r"^((?:Variable '\$\w+'|Argument '\w+') has invalid (?:default )?value"
                     r"(?: at [\w.\[\]]*)?: )(.*)$", re.DOTALL)
_TYPE = r"'[\w!\[\]]+'"
_REBUILT = tuple((re.compile(pattern + r".*$", re.DOTALL), replacement) for pattern, replacement
                 in (
    # Strawberry's Maybe[T] refusing null names Python types (some as a repr with an address)
    # and tells a schema author what to change; the caller needs to know what to send.
    (r"^Expected value of type .*?, found null\. Field '(\w+)' of type 'Maybe\[",
     r"'\1' cannot be null: give a value, or leave the field out."),
    (r"^Expected value of type .*?, found null\. Field of type 'Maybe\[",
     r"This field cannot be null: give a value, or leave the field out."),
    (rf"^(Expected value of type {_TYPE} not to include unknown field '\w+')", r"\1."),
    (rf"^(Expected value of type {_TYPE} to be an object)", r"\1."),
    (rf"^(Expected value of type {_TYPE} to include required field '\w+')", r"\1."),
    (rf"^Expected value of type ({_TYPE})[,:]", r"Expected a valid value of type \1."),
    (r"^((?:\w+|Enum '\w+') cannot represent [^:.]*)", r"\1."),
    (r"^Value .* does not exist in ('\w+') enum\.", r"That value does not exist in enum \1."),
    (r"^(Syntax Error: [^\"'`:]*?)[,:]?\s*[\"'`:]", r"\1."),
    # Anything else that still quotes what it found (a message shape not listed above).
    (r"^(.*?)[.;,]?\s*(?:[Ff]ound:|got invalid value)", r"\1."),
))


def safe_message(message: str, *, suggestions: bool) -> str:
    """`message` without any request value, and without "Did you mean" unless `suggestions`."""
    suggestion = _SUGGESTION.search(message)
    message = _SUGGESTION.sub("", message)
    prefix, body = "", message
    if matched := _PREFIX.match(message):
        prefix, body = matched.groups()
    for pattern, replacement in _REBUILT:
        if pattern.match(body):
            body = pattern.sub(replacement, body, count=1)
            break
    if suggestion and suggestions:
        body = f"{body} {suggestion.group().strip()}"
    return prefix + body


def code_for(execution_context: ExecutionContext | None) -> str:
    """Parse failures have no document yet; validation failures no result yet; what fails
    later (coercing variables and arguments) is a bad request."""
    if execution_context is None or execution_context.graphql_document is None:
        return PARSE_FAILED
    if execution_context.result is None:
        return VALIDATION_FAILED
    return BAD_REQUEST


def make_safe(error: GraphQLError, code: str, *, suggestions: bool) -> None:
    """In place: Strawberry hands these same objects on to the response."""
    error.message = safe_message(error.message, suggestions=suggestions)
    error.extensions = {**(error.extensions or {}), "code": code}
