"""Tells the request's log line and metrics (middleware/request_log.py) which operation ran and
which error codes it answered with: names and codes only, never variables or query text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

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
        data = context.result.data if context.result else None
        if isinstance(data, dict):
            facts.user_errors += list(_user_errors(context, data))


def _user_errors(context: ExecutionContext, data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """By the root field's name, not its alias: a caller cannot invent label values."""
    operation = context.operation_type.value if context.operation_type else ""
    names = {(selection.alias or selection.name).value: selection.name.value
             for definition in (context.graphql_document.definitions
                                if context.graphql_document else ())
             if isinstance(definition, OperationDefinitionNode)
             for selection in definition.selection_set.selections
             if isinstance(selection, FieldNode)}
    for key, payload in data.items():
        if operation == "mutation" and isinstance(payload, dict) and key in names:
            for error in payload.get("userErrors") or []:
                if isinstance(error, dict):
                    yield names[key], str(error.get("code"))
