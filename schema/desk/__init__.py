"""The professional's desk in the API: the `practice` root field (agenda, clients) and the
profile of one client, which gather types from every domain, as the hub does for a client.
"""

__all__ = [
    "client_profile",
    "practice",
    "practice_clients",
]
