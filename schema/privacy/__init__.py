"""Privacy in the API: deleting one's account (erasure)."""

__all__ = [
    "erasure",
]
