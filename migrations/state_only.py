"""An operation that changes only the migrations' picture of the models, never the database.

Moving a model to another app (issue 12: the account links to `accounts`) keeps its table and
rows: the old app forgets the model and the new app learns it, with no DDL in between.
"""

from __future__ import annotations

from tortoise.migrations.operations import Operation, TortoiseOperation
from tortoise.migrations.schema_generator.state import State


class StateOnly(TortoiseOperation):
    """Apply `operation` to the migration state; its database side is skipped both ways."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    def describe(self) -> str:
        return f"{self.operation.describe()} (state only, the table stays)"

    def state_forward(self, app_label: str, state: State) -> None:
        self.operation.state_forward(app_label, state)
