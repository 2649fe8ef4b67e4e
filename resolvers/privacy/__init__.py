"""Privacy: what the law lets a person ask of the data we hold about them. Above every other
domain, because an export reads them all.

- `exports`: asking for an export of everything held about oneself (GDPR Art. 15 and 20),
  listing one's exports, and the download behind an export's link;
- `exports_contents`: what an export holds, file by file;
- `exports_building`: the background work that builds, encrypts and delivers it.
"""

__all__ = [
    "exports",
    "exports_building",
    "exports_contents",
]
