"""schema.graphql is what frontend developers code against: it must match the code."""

from __future__ import annotations

from app import SCHEMA_FILE, export_schema


def test_schema_graphql_is_current(settings):
    assert SCHEMA_FILE.read_text() == export_schema(settings), (
        "schema.graphql is stale: run `python3 dev.py export-schema` and commit it."
    )
