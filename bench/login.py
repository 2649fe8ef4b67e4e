"""Login throughput and `viewer` latency against a real server (uvicorn, one process).

    .venv/bin/python bench/login.py [--database-url postgres://...] [--logins 60] [--viewers 500]

Password hashing uses the production defaults (argon2id, 64 MiB, 3 passes), so login
throughput is bounded by argon2 on this machine's cores, by design.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, running_server, summary
from settings import Settings

TERMS = Settings()
"""The versions in force, accepted by every benchmark account."""

PASSWORD = "benchmark passphrase"
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { accepted } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { token userErrors { code } } }"""


async def timed(client: httpx.AsyncClient, durations: list[float], **request) -> dict:
    started = time.perf_counter()
    response = await client.post("/graphql", **request)
    durations.append(time.perf_counter() - started)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def measure(base: str, logins: int, viewers: int, concurrency: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        emails = [f"bench{i}@example.com" for i in range(concurrency)]
        for email in emails:
            await client.post("/graphql", json={"query": REGISTER, "variables": {"input": {
                "email": email, "password": PASSWORD, "name": "Bench", "timeZone": "UTC",
                "acceptedTerms": TERMS.terms_version,
                "acceptedPrivacyNotice": TERMS.privacy_notice_version}}})

        login_times: list[float] = []
        queue = [emails[i % len(emails)] for i in range(logins)]

        async def log_in_worker() -> str:
            token = ""
            while queue:
                email = queue.pop()
                data = await timed(client, login_times, json={"query": LOGIN, "variables": {
                    "input": {"email": email, "password": PASSWORD}}})
                token = data["login"]["token"]
            return token

        started = time.perf_counter()
        tokens = await asyncio.gather(*(log_in_worker() for _ in range(concurrency)))
        print(summary(f"login ({concurrency} in flight)", login_times,
                      time.perf_counter() - started))

        for in_flight in (1, concurrency):
            await measure_viewer(client, tokens, viewers, in_flight)


async def measure_viewer(client: httpx.AsyncClient, tokens: list[str], count: int,
                         in_flight: int) -> None:
    durations: list[float] = []
    remaining = [count]

    async def worker(token: str) -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            await timed(client, durations, json={"query": "{ viewer { id email } }"},
                        headers={"Authorization": f"Bearer {token}"})

    started = time.perf_counter()
    await asyncio.gather(*(worker(tokens[i % len(tokens)]) for i in range(in_flight)))
    print(summary(f"viewer ({in_flight} in flight)", durations, time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--logins", type=int, default=60)
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    print(f"machine: {machine()}; database: {args.database_url or 'SQLite file'}")
    with running_server(args.database_url, ENVIRONMENT="development") as base:
        asyncio.run(measure(base, args.logins, args.viewers, args.concurrency))


if __name__ == "__main__":
    main()
