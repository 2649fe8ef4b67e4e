"""The therapy hub in the API: the client's hub query and its subscription.
"""

__all__ = [
    "hub",
    "hub_updates",
]
