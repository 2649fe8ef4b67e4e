"""How fast the outbox takes and delivers mail, through a real local SMTP server (aiosmtpd).

    .venv/bin/python bench/outbox_delivery.py [--messages 500] [--database URL]

Prints the cost of writing one email inside its cause's transaction, and delivery throughput
with one sender and with several senders polling the same table (as several app processes do),
checking that no message was sent twice. SQLite in a temporary folder unless --database names
a PostgreSQL database (it is migrated, and its outbox table emptied, so use a scratch one).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from tortoise import Tortoise
from tortoise.transactions import in_transaction

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db
import settings as settings_module
from jobs import outbox_sender
from models.outbox import OutboxMessage
from resolvers.core import outbox
from tests.mailbox import free_port


class _Counter:
    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        for line in envelope.content.splitlines():
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.message_ids.append(line.decode())
        return "250 OK"


async def _enqueue(settings: settings_module.Settings, count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        async with in_transaction():
            await outbox.enqueue(settings, to=f"client{n}@example.com", template="invitation",
                                 locale="en", values={
                                     "name": "Anna", "professional": "Sigrún",
                                     "service": "Counselling", "message": "See you soon.",
                                     "days": "14", "link": "https://hub.test/invitation#token=x",
                                 })
    return time.perf_counter() - started


async def _deliver(settings: settings_module.Settings, senders: int) -> float:
    async def sender() -> None:
        while (await outbox_sender.deliver_pending(settings)).claimed:
            pass

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    return time.perf_counter() - started


async def main(count: int, database_url: str | None) -> None:
    folder = tempfile.mkdtemp(prefix="outbox-bench-")
    url = database_url or f"sqlite://{folder}/bench.sqlite3"
    counter = _Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    settings = settings_module.from_env({
        "ENVIRONMENT": "test", "DATABASE_URL": url, "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
    })
    await db.migrate(url)
    await Tortoise.init(config=db.tortoise_config(url), _enable_global_fallback=True)
    await OutboxMessage.all().delete()
    print(f"database: {url.split('://')[0]}, messages per run: {count}")
    try:
        for senders in (1, 4):
            counter.message_ids.clear()
            took = await _enqueue(settings, count)
            print(f"  enqueue (one transaction each): {took / count * 1000:.2f} ms per message")
            took = await _deliver(settings, senders)
            received = len(counter.message_ids)
            unique = len(set(counter.message_ids))
            print(f"  deliver with {senders} sender(s): {count / took:.0f} messages/s "
                  f"({received} received, {received - unique} duplicates)")
    finally:
        await Tortoise.close_connections()
        controller.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.database))
