"""The committed schema.graphql is what the frontend codes against: it must match the code."""

from __future__ import annotations

from app import SCHEMA_FILE, export_schema


def test_schema_file_is_current(settings):
    assert SCHEMA_FILE.read_text() == export_schema(settings), (
        "schema.graphql is stale: run `python app.py export-schema` and commit it."
    )
