"""Background loops started in the app's lifespan, apart from request-time use cases: the outbox
sender and the reminder sender.
"""

__all__ = [
    "reminders",
]
