"""Notes in the API: sealed notes and the professional's notes key.
"""

__all__ = [
    "note_keys",
    "note_types",
    "notes",
]
