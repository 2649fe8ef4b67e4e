"""Privacy in the API: exporting one's data and deleting one's account. Above every other
domain, because an export reads them all.
"""

__all__ = [
    "erasure",
    "exports",
]
