"""Background loops started in the app's lifespan, apart from request-time use cases: the outbox
sender and the reminder sender, both on one polling loop (loop.py).
"""

__all__ = [
    "loop",
    "outbox_sender",
    "reminders",
]
