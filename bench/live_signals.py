"""Signal delivery latency: from sending `sendSignal` to the peer's `signals` subscription
receiving it, against real servers.

    .venv/bin/python -m bench.live_signals [--signals 500]
        one `python app.py serve` on SQLite: one process
    .venv/bin/python -m bench.live_signals --postgres postgres://postgres@127.0.0.1:5432/postgres \
        --processes 2
        two server processes on one fresh PostgreSQL database: the mutation goes to the first,
        the subscription listens on the second, so every signal crosses LISTEN/NOTIFY
    --server "CMD"   the command that starts one server (default: "{python} app.py serve
                     --no-seed"); {python} and {port} are filled in, DATABASE_URL and PORT are
                     set in its environment. A multi-worker server (uvicorn --workers 2) goes
                     here with --processes 1.

One signal in flight at a time (the way a browser sends them), 200-byte sealed payloads;
prints p50, p99 and the maximum. The latency includes the mutation's HTTP round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from strawberry import relay
from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db
from bench.common import ROOT, _free_port, machine
from models.scheduling import SessionStatus
from tests.hub_steps import add_session, client, connect, practice
from tests.live_steps import SIGNALS, join, sealed_blob, send
from tests.ws_client import graphql_ws

DEFAULT_SERVER = "{python} app.py serve --no-seed"


class Api:
    """GraphQL over HTTP, with the `data(query, variables, token=)` the test steps use."""

    def __init__(self, base: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=30)

    async def data(self, query: str, variables: dict[str, Any] | None = None, *,
                   token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = (await self.http.post("/graphql", json={"query": query,
                                                       "variables": variables or {}},
                                     headers=headers)).json()
        assert "errors" not in body, body["errors"]
        return body["data"]


@contextmanager
def servers(command: str, database_url: str, count: int) -> Iterator[list[str]]:
    """`count` servers on free ports, started one after the other (each migrates first)."""
    processes, bases = [], []
    try:
        for _ in range(count):
            port = _free_port()
            argv = shlex.split(command.format(python=sys.executable, port=port))
            processes.append(subprocess.Popen(  # noqa: S603 (the operator's own command)
                argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env={**os.environ, "DATABASE_URL": database_url, "PORT": str(port),
                     "SIGNAL_RATE_PER_MINUTE": "1000000"}))
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"the server did not start: {command}")
            bases.append(base)
        yield bases
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)


async def measure(bases: list[str], database_url: str, count: int) -> list[float]:
    sender, listener = Api(bases[0]), bases[-1].replace("http://", "ws://") + "/graphql"
    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        sigrun = await practice(sender, "sigrun@bench.test", "Sigrún", ["Counselling"])
        anna = await client(sender, "anna@bench.test", "Anna")
        engagement = await connect(sender, anna, sigrun, "Counselling")
        session = await add_session(engagement, datetime.now(UTC) + timedelta(minutes=5),
                                    minutes=120, status=SessionStatus.SCHEDULED)
    finally:
        await Tortoise.close_connections()
    session_id = relay.to_base64("Session", str(session.id))
    await join(sender, sigrun.token, session_id)
    await join(sender, anna, session_id)
    payloads = [sealed_blob(200) for _ in range(count + 20)]
    durations = []
    async with graphql_ws(listener, {"authorization": f"Bearer {anna}"}) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.send({"id": "1", "type": "subscribe",
                       "payload": {"query": SIGNALS, "variables": {"sessionId": session_id}}})
        assert (await ws.next_data())["signals"]["kind"] == "PEER_JOINED"  # listening now
        for number, payload in enumerate(payloads):
            started = time.perf_counter()
            assert (await send(sender, sigrun.token, session_id, payload))["accepted"]
            received = await ws.next_data()
            elapsed = time.perf_counter() - started
            assert received["signals"]["payload"] == payload
            if number >= 20:  # the first ones warm the caches and connection pools
                durations.append(elapsed)
    return durations


async def fresh_postgres(admin_url: str) -> tuple[str, str]:
    name = f"therapyhub_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}", name


async def drop_postgres(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def report(label: str, durations: list[float]) -> str:
    ordered = sorted(durations)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))]
    return (f"{label}: p50 {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
            f"max {ordered[-1] * 1000:.2f} ms (n={len(ordered)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signals", type=int, default=500)
    parser.add_argument("--postgres", help="admin URL; a fresh database is made and dropped")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args()
    if args.processes > 1 and not args.postgres:
        raise SystemExit("Several processes share events only through PostgreSQL: "
                         "add --postgres.")
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        if args.postgres:
            database_url, name = asyncio.run(fresh_postgres(args.postgres))
        else:
            database_url, name = f"sqlite://{folder}/bench.sqlite3", ""
        try:
            with servers(args.server, database_url, args.processes) as bases:
                durations = asyncio.run(measure(bases, database_url, args.signals))
        finally:
            if name:
                asyncio.run(drop_postgres(args.postgres, name))
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(report(f"sendSignal -> peer's subscription, {args.processes} process(es), {where}, "
                 f"server `{args.server}`", durations))


if __name__ == "__main__":
    main()
