"""The outcomes the authorization matrix declares, and how one answer is judged against them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    kind: str
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}({self.code})" if self.code else self.kind


ALLOWED = Outcome("ALLOWED")
"""No error, and something is shown (not null, not an empty list or page)."""
EMPTY = Outcome("EMPTY")
"""No error and nothing shown: null, an empty list or an empty page, as for a missing object."""
NOT_APPLICABLE = Outcome("NOT_APPLICABLE")
"""Not run: the caller acts on their own account only, or would really change the owner's data
(the domain tests cover that)."""

PUBLIC = Outcome("PUBLIC")
"""An HTTP route that answers every caller alike, whatever its state (readiness)."""


def refused(code: str) -> Outcome:
    """A GraphQL error with this extensions.code, and no data for the field."""
    return Outcome("REFUSED", code)


def user_error(code: str) -> Outcome:
    """A mutation payload whose userErrors carry this code, and nothing else in it."""
    return Outcome("USER_ERROR", code)


def status(code: int) -> Outcome:
    """An HTTP route's answer."""
    return Outcome("STATUS", str(code))


def observed(body: dict[str, Any], field: str) -> Outcome:
    """What one GraphQL answer amounts to, for the root field asked for."""
    if body.get("errors"):
        return refused(body["errors"][0].get("extensions", {}).get("code", "NO CODE"))
    value = (body.get("data") or {}).get(field)
    if isinstance(value, dict) and value.get("userErrors"):
        return user_error(value["userErrors"][0]["code"])
    return EMPTY if _empty(value) else ALLOWED


def _empty(value: Any) -> bool:
    if value is None or value == []:
        return True
    if isinstance(value, dict) and set(value) <= {"edges", "pageInfo"}:
        return value.get("edges") == []
    if isinstance(value, dict) and "userErrors" in value:
        return all(_empty(v) or v is False for k, v in value.items() if k != "userErrors")
    return False
