"""Background loops started in the app's lifespan, apart from request-time use cases: the outbox
sender, the reminder sender, the data export builder and the retention job, all on one
polling loop (loop.py).
"""

__all__ = [
    "data_exports",
    "loop",
    "outbox_sender",
    "reminders",
    "retention",
]
