"""Sealed notes: writing, reading, rotating the key they are sealed to, recovering notes a
password reset locked. The key itself is held by accounts (resolvers/accounts/note_keys.py).
"""

__all__ = [
    "note_key_rotation",
    "note_reading",
    "note_recovery",
    "notes",
]
