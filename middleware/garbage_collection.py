"""The garbage collection of a serving process (`app.from_environment`, every worker)."""

from __future__ import annotations

import gc

YOUNG_OBJECTS_BEFORE_COLLECTION = 10_000
"""Python's default is 700: about once per hub page, each time walking every object of the
requests in flight (BENCHMARKS.md, the hub)."""


def tune_for_serving() -> None:
    """What is alive once the app is built (modules, the schema, the compiled models) lives
    as long as the process: frozen, the collector no longer walks those 170,000 objects on
    every full collection. A request leaves no reference cycles behind it
    (schema/core/plain_fields.py), so its objects go when it ends and the young generation
    can be let grow before it is searched for cycles."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS_BEFORE_COLLECTION, *gc.get_threshold()[1:])
