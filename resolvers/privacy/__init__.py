"""Privacy: what the law lets a person ask of the data we hold about them, and what we keep
for how long. Above every other domain, because an export reads them all.

- `exports`: asking for an export of everything held about oneself (GDPR Art. 15 and 20),
  listing one's exports, and the download behind an export's link;
- `exports_contents`: what an export holds, file by file;
- `exports_building`: the background work that builds, encrypts and delivers it;
- `erasure`: deleteMyAccount, a pseudonymous tombstone where health-records and bookkeeping
  law keep records;
- `retention`: the scheduled removal of what has no reason to stay.

Consent records live in accounts (resolvers/accounts/consents.py): account creation, below this
domain, writes them. docs/privacy.md says what is kept, why and how long.
"""

__all__ = [
    "erasure",
    "exports",
    "exports_building",
    "exports_contents",
    "retention",
]
