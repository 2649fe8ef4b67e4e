"""Shared by the benchmark scripts: boot a real server in a subprocess, sign its users up as
the SPA does, and summarise timings."""

from __future__ import annotations

import base64
import os
import platform
import re
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from crypto import secrets_at_rest
from resolvers.core import outbox
from resolvers.core.validation import normalise_email
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent

TOKEN_IN_LINK = re.compile(r"#token=([A-Za-z0-9_-]{43})")
QUIET_OUTBOX = {"MAIL_POLL_SECONDS": "86400"}
"""The outbox sender wipes a message's content once delivered; polling once a day (after the
round at start-up) leaves the confirmation emails for `sign_up` to read, and keeps mail
delivery out of the timings."""

REGISTER = """mutation($input: RegisterInput!) {
  register(input: $input) { accepted userErrors { field message } } }"""
CONFIRM_EMAIL = """mutation($input: ConfirmEmailInput!) {
  confirmEmail(input: $input) { emailConfirmed userErrors { field message } } }"""
LOGIN = """mutation($input: LoginInput!) {
  login(input: $input) { token noteRecoveryKey userErrors { field message } } }"""


@dataclass(frozen=True)
class Server:
    """A served app, and what reading its outbox needs: its database and server key."""

    base: str
    database_url: str
    secret_key: bytes


def new_secret_key() -> str:
    """A SECRET_KEY value, so the benchmark knows the key its server seals the outbox with."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def decoded_key(raw: str) -> bytes:
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(database_url: str | None = None, **env: str) -> Iterator[Server]:
    """`python app.py serve` on a free port with production-strength password hashing."""
    port = _free_port()
    env = {**QUIET_OUTBOX, "SECRET_KEY": new_secret_key(), **env}
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite://{folder}/bench.sqlite3"
        process = subprocess.Popen(
            [sys.executable, "app.py", "serve", "--no-seed"], cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "PORT": str(port), **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit("the server did not start")
            yield Server(base, url, decoded_key(env["SECRET_KEY"]))
        finally:
            process.terminate()
            process.wait(timeout=10)


def summary(label: str, durations: list[float], wall: float) -> str:
    ordered = sorted(durations)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))]
    return (f"{label}: {len(durations) / wall:,.1f} req/s, "
            f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
            f"(n={len(durations)})")


TERMS = Settings()
"""The versions of the terms and privacy notice in force, accepted by every bench account."""


async def sign_up(client: httpx.AsyncClient, server: Server, email: str, password: str, *,
                  name: str, time_zone: str = "UTC", roles: Sequence[str] = ("CLIENT",)
                  ) -> dict[str, Any]:
    """Register, open the emailed confirmation link, sign in: the first login's payload (its
    token, and a professional's noteRecoveryKey), as a new user of the SPA gets it."""
    registered = await _data(client, REGISTER, {"input": {
        "email": email, "password": password, "name": name, "timeZone": time_zone,
        "roles": list(roles), "acceptedTerms": TERMS.terms_version,
        "acceptedPrivacyNotice": TERMS.privacy_notice_version}})
    assert registered["register"]["accepted"], registered
    token = await emailed_token(server, email, "confirm_email")
    confirmed = await _data(client, CONFIRM_EMAIL, {"input": {"token": token}})
    assert confirmed["confirmEmail"]["emailConfirmed"], confirmed
    signed_in = (await _data(client, LOGIN, {"input": {"email": email, "password": password}})
                 )["login"]
    assert signed_in["token"], signed_in
    return signed_in


async def emailed_token(server: Server, to: str, template: str) -> str:
    """The link token of the newest `template` email to `to`, read from the server's outbox
    and opened with its server key, as its sender would deliver it."""
    address = normalise_email(to)
    for sealed in await _outbox_contents(server.database_url, template):
        content = orjson.loads(secrets_at_rest.decrypt(server.secret_key, sealed,
                                                       purpose=outbox.CONTENT_PURPOSE))
        if content["to"] == address and (found := TOKEN_IN_LINK.search(content["text"])):
            return found.group(1)
    raise SystemExit(f"no {template} email to {to} in the outbox")


async def _outbox_contents(database_url: str, template: str) -> list[bytes]:
    query = ("SELECT content FROM outbox_message WHERE template = {} AND content IS NOT NULL "
             "ORDER BY created_at DESC")
    if database_url.startswith("sqlite://"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as connection:
            rows = connection.execute(query.format("?"), (template,)).fetchall()
        return [bytes(row[0]) for row in rows]
    connection = await asyncpg.connect(database_url)
    try:
        return [bytes(row["content"]) for row in
                await connection.fetch(query.format("$1"), template)]
    finally:
        await connection.close()


async def _data(client: httpx.AsyncClient, query: str, variables: dict) -> dict[str, Any]:
    body = (await client.post("/graphql", json={"query": query, "variables": variables})).json()
    assert "errors" not in body, body
    return body["data"]


def run_server(app: Any, port: int) -> None:
    """uvicorn on loopback, one process. With BENCH_PROFILE=FILE in the environment, under
    cProfile, its stats written to FILE when the server stops (bench/hub.py --profile)."""
    import uvicorn

    profile_to = os.environ.get("BENCH_PROFILE")
    if not profile_to:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
        return
    import cProfile
    import signal

    def stop(*_: object) -> None:
        """uvicorn raises the SIGTERM it caught again once it has shut down."""
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    profile = cProfile.Profile()
    try:
        profile.runcall(uvicorn.run, app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        profile.dump_stats(profile_to)
