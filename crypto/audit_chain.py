"""The audit log's hash chain: each entry's seal covers its fields and the previous entry's seal.

The database refuses UPDATE and DELETE on the log (triggers), but someone with the database's
files or its superuser can go around triggers. The chain makes that visible: editing an entry
changes its seal, removing one leaves a gap in the sequence and a broken link, and re-sealing the
chain after an edit needs the server key, which the database does not hold (the seal is an HMAC
under a key derived from `SECRET_KEY`).

Entries written before the chain existed carry no seal; they may only form the start of the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

UNSEALED = ""
"""The seal of an entry written before the chain existed, and the link of the first sealed one."""


@dataclass(frozen=True)
class ChainedEntry:
    """The fields an entry's seal covers, as stored."""

    sequence: int
    at: datetime
    actor_id: UUID | None
    action: str
    subject_type: str
    subject_id: UUID | None
    person_id: UUID | None
    address: str
    previous_seal: str


@dataclass(frozen=True)
class StoredEntry:
    entry: ChainedEntry
    seal: str


@dataclass(frozen=True)
class Verification:
    """What a walk of the log found: the entries checked and the first break, if any."""

    sealed: int
    unsealed: int
    head_seal: str
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def chain_key(secret_key: bytes) -> bytes:
    """The sealing key, separate from every other use of the server key."""
    return hashlib.blake2b(secret_key, digest_size=32, person=b"audit-chain").digest()


def seal(key: bytes, entry: ChainedEntry) -> str:
    canonical = json.dumps([
        entry.sequence,
        entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        str(entry.actor_id) if entry.actor_id else None,
        entry.action,
        entry.subject_type,
        str(entry.subject_id) if entry.subject_id else None,
        str(entry.person_id) if entry.person_id else None,
        entry.address,
        entry.previous_seal,
    ], separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


class ChainWalk:
    """Verifies the log entry by entry in sequence order, so a long log streams in batches."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._expected_sequence: int | None = None
        self._previous_seal = UNSEALED
        self._sealed = 0
        self._unsealed = 0
        self._broken_at: int | None = None
        self._reason = ""

    def feed(self, entries: Iterable[StoredEntry]) -> bool:
        """Check the next entries; False once the chain is broken (later entries are not read)."""
        for stored in entries:
            if self._broken_at is not None:
                return False
            self._check(stored)
        return self._broken_at is None

    def _check(self, stored: StoredEntry) -> None:
        entry = stored.entry
        if self._expected_sequence is not None and entry.sequence != self._expected_sequence:
            self._break(self._expected_sequence, "an entry is missing before this sequence number")
            return
        self._expected_sequence = entry.sequence + 1
        if stored.seal == UNSEALED:
            if self._sealed:
                self._break(entry.sequence, "an unsealed entry follows sealed ones")
            else:
                self._unsealed += 1
            return
        if entry.previous_seal != self._previous_seal:
            self._break(entry.sequence, "the link to the previous entry does not match")
        elif not hmac.compare_digest(seal(self._key, entry), stored.seal):
            self._break(entry.sequence, "the entry was changed after it was written")
        else:
            self._sealed += 1
            self._previous_seal = stored.seal

    def _break(self, sequence: int, reason: str) -> None:
        self._broken_at, self._reason = sequence, reason

    def result(self) -> Verification:
        return Verification(sealed=self._sealed, unsealed=self._unsealed,
                            head_seal=self._previous_seal, broken_at=self._broken_at,
                            reason=self._reason)
