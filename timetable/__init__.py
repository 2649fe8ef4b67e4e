"""Time arithmetic of scheduling: pure, plain values in and out, no database, nothing of ours.

Like `crypto/` and `receipts/`, it imports only the standard library and packages, so it can be
trusted and tested on its own: wall-clock conversion, availability intervals, bookable slots,
recurrence, iCalendar files.
"""

__all__ = [
    "availability",
    "ics",
    "recurrence",
    "slots",
    "wall_clock",
]
