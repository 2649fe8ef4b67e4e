"""Privacy: what the law lets a person do with the data we hold about them, and what we keep
for how long: erasure (deleteMyAccount, a pseudonymous tombstone where health-records and
bookkeeping law keep records), and retention (the scheduled removal of what has no reason to
stay). Consent records live in accounts (resolvers/accounts/consents.py): account creation,
below this domain, writes them. docs/privacy.md says what is kept, why and how long.
"""

__all__ = [
    "erasure",
    "retention",
]
