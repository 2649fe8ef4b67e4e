"""Privacy in the API: what a person may ask of the data we hold about them. Above every other
domain, because an export reads them all.
"""

__all__ = [
    "exports",
]
