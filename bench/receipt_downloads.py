"""Receipt downloads through a real server: signed link in, PDF out, end to end.

    .venv/bin/python -m bench.receipt_downloads [count]

Loads the demo data into a fresh SQLite database, serves it (`python app.py serve`, one
uvicorn process), signs a receipt link for the demo client's first paid session with the same
SECRET_KEY, and fetches it `count` times (default 200) with 1 and then 4 requests in flight.
Each download checks the link, reads the payment, session, profile and client, and renders
the PDF in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import os
import secrets
import sys
import tempfile
import time
from urllib.parse import urlsplit

import httpx
from tortoise.context import TortoiseContext

import db
import seed
import settings as settings_module
from bench.common import machine, running_server, summary
from models.accounts import Account
from models.payments import Payment
from resolvers.payments.receipt_links import receipt_url


async def _prepare(database_url: str, env: dict[str, str]) -> str:
    settings = settings_module.from_env({**env, "DATABASE_URL": database_url})
    await db.migrate(database_url)
    async with TortoiseContext() as context:
        await context.init(config=db.tortoise_config(database_url))
        with contextlib.redirect_stdout(io.StringIO()):  # the demo's recovery keys
            await seed.seed(settings)
        client = await Account.get(email="thorunn@demo.therapyhub.test")
        payment = await Payment.filter(client_id=client.id).order_by("paid_at").first()
        assert payment is not None
        url = receipt_url(settings, payment, client)
    assert url is not None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _fetch(base: str, path: str, count: int, in_flight: int) -> tuple[list[float], float,
                                                                            int]:
    durations: list[float] = []
    size = 0
    queue = iter(range(count))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal size
        for _ in queue:
            started = time.perf_counter()
            response = await client.get(path)
            durations.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            size = len(response.content)

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.get(path)  # fonts load on the first render
        started = time.perf_counter()
        await asyncio.gather(*[worker(client) for _ in range(in_flight)])
        return durations, time.perf_counter() - started, size


def main(count: int) -> None:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    env = {**os.environ, "SECRET_KEY": key, "ENVIRONMENT": "development"}
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite://{folder}/bench.sqlite3"
        path = asyncio.run(_prepare(database_url, env))
        with running_server(database_url, SECRET_KEY=key) as server:
            print(f"receipt downloads on {machine()}, SQLite")
            for in_flight in (1, 4):
                durations, wall, size = asyncio.run(_fetch(server.base, path, count, in_flight))
                print(summary(f"GET receipt ({in_flight} in flight)", durations, wall)
                      + f", PDF {size / 1024:.1f} KB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
