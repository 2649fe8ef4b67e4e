"""GraphQL plumbing every domain's schema shares: the context, ids, errors, connections.
"""

__all__ = [
    "context",
    "enums",
    "errors",
    "ids",
    "loaders",
    "pagination",
    "query_errors",
    "request_errors",
    "viewpoint",
]
