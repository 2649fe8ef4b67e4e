"""Tells the request's log line and metrics (middleware/request_log.py) which operation ran and
which error codes it answered with: names and codes only, never variables or query text."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from middleware.request_log import current


class ObserveOperation(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        """Around parsing and validation too: a refused request is counted with its code."""
        yield
        facts = current()
        if facts is None:
            return
        context = self.execution_context
        facts.operation = context.operation_name or ""
        errors = context.result.errors if context.result else None
        facts.error_codes += [str((error.extensions or {}).get("code", "UNKNOWN"))
                              for error in errors or []]
