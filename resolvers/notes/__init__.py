"""Sealed notes and the professional's notes key: writing, reading, rotating, resets, recovery.
"""

__all__ = [
    "note_key_reset",
    "note_key_rotation",
    "note_keys",
    "note_reading",
    "note_recovery",
    "notes",
]
