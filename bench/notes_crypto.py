"""How fast the notes cryptography is on this machine.

    .venv/bin/python bench/notes_crypto.py

Prints notes sealed per second, pages of 50 notes opened per second, the per-request cost of
unwrapping the session's key, and the cost of unwrapping the key at sign-in with the production
argon2id limits (the defaults in settings.py), next to the password check it follows.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crypto import note_keys, passwords
from crypto.notes import NoteIds, NoteText, open_note, seal_note
from crypto.tokens import decode_token, derive_key, new_token
from resolvers.accounts.note_keys import kdf_limits
from settings import Settings

PAGE = 50


def per_second(work: Callable[[], object], *, seconds: float = 2.0) -> float:
    work()
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        work()
        done += 1
    return done / elapsed


def median_ms(work: Callable[[], object], *, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def note_of(size: int) -> NoteText:
    line = "Session: sleep better, anxiety 4/10 (was 7). Þórunn: öndun 2x á dag. 🙂\n"
    return NoteText(title="Session notes", body=(line * (size // len(line) + 1))[:size])


def main() -> None:
    key = note_keys.new_private_key()
    public = note_keys.public_key_of(key)
    author, client = uuid4(), uuid4()
    print("Notes cryptography (one core; PyNaCl / libsodium)\n")
    for label, size in (("2 KB", 2_000), ("20 KB", 20_000), ("100 KB", 100_000)):
        text = note_of(size)

        def seal(text: NoteText = text) -> bytes:
            ids = NoteIds(note_id=uuid4(), client_id=client, author_id=author)
            return seal_note(public, key_version=1, ids=ids, text=text)

        page = []
        for _ in range(PAGE):
            ids = NoteIds(note_id=uuid4(), client_id=client, author_id=author)
            page.append((seal_note(public, key_version=1, ids=ids, text=text), ids))

        def open_page(page: list = page) -> None:
            for sealed, ids in page:
                open_note(key, sealed, key_version=1, ids=ids)

        print(f"  {label:>6} notes: {per_second(seal):9,.0f} sealed/s   "
              f"{per_second(open_page):7,.0f} pages of {PAGE} opened/s")

    token = decode_token(new_token())
    assert token is not None
    session_key = derive_key(token, purpose="note-key-session")
    held = note_keys.wrap_under_session_key(key, session_key)

    def unwrap_session() -> None:
        note_keys.unwrap_with_session_key(held, derive_key(token, purpose="note-key-session"),
                                          public_key=public)

    print(f"\n  per request, unwrapping the session's key: "
          f"{median_ms(unwrap_session, runs=2000) * 1000:.0f} µs")

    production = Settings()
    limits = kdf_limits(production)
    password = "correct horse battery staple"
    wrap = note_keys.wrap_under_password(key, password, limits)
    kdf = median_ms(lambda: note_keys.unwrap_with_password(wrap, password, public_key=public),
                    runs=7)
    hasher = passwords.hasher(time_cost=production.argon2_time_cost,
                              memory_kib=production.argon2_memory_kib,
                              parallelism=production.argon2_parallelism)
    stored_hash = passwords.hash_password(hasher, password)
    verify = median_ms(lambda: passwords.verify_password(hasher, stored_hash, password), runs=7)
    print(f"\n  at sign-in, production argon2id (t={limits.ops}, "
          f"m={limits.mem_bytes // 1024 // 1024} MiB, 1 lane):")
    print(f"    password check (argon2-cffi):        {verify:6.0f} ms")
    print(f"    notes key unwrap (nacl.pwhash kdf):  {kdf:6.0f} ms   "
          f"(professionals only; also paid at password change, twice)")


if __name__ == "__main__":
    main()
