"""The client's therapy hub: every session of every service, and the live updates it hears.
"""

__all__ = [
    "hub",
    "hub_updates",
]
