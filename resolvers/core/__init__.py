"""What every domain shares: who is asking, how a use case fails, pagination, validation, the
audit log, the outbox, and in-process domain events.
"""

__all__ = [
    "audit",
    "caller",
    "domain_events",
    "errors",
    "outages",
    "outbox",
    "pagination",
    "rate_limits",
    "validation",
]
