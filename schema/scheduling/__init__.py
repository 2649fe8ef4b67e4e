"""Scheduling in the API: sessions, availability, slots, booking, changes, calendar feeds.
"""

__all__ = [
    "availability_types",
    "scheduling",
    "scheduling_types",
    "session_types",
]
