"""The practitioner's views against a running server (uvicorn, one process), 1 in flight.

    .venv/bin/python -m bench.practitioner [--database-url postgres://.../<empty db>]
                                           [--requests 200] [--rounds 3] [--show-statements]

Seeds, through the API, a professional (Atlantic/Reykjavik) with one service and one client
(Europe/Berlin) with 200 notes (2 KB, sealed as writeNote seals them), then 200 sessions
every two days, the last few booked ahead and a few this week, written to the database as
bench/hub.py does. Then measures on the same server, in interleaved rounds:
  (p) CLIENT_PROFILE: the profile with its engagements and progress, the first 50 sessions
      and the first page of 50 notes, opened;
  (d) PRACTICE: the practice dashboard as tests/test_practice_views.py asks for it.
For each: p50 and p99 latency, the server's CPU per request (its own clock, /proc/<pid>/stat),
and the SQL statements of one request (counted in process from Tortoise's query log).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db
import settings as settings_module
from bench.common import QUIET_OUTBOX, Server, decoded_key, machine, new_secret_key
from bench.hub import cpu_seconds, gql, load, spread, start_server
from bench.notes import BODY, WRITE, practice
from models.practice import Engagement
from models.scheduling import Session, SessionStatus

SESSIONS, NOTES, AHEAD = 200, 200, 6

SESSION = """id status startsAt endsAt startsAtLocal endsAtLocal joinOpensAt canJoin
  service { id title } professional { displayName }"""
PROGRESS = """attended cancelled lateCancelled noShows scheduled firstSessionAt lastSessionAt
  nextSessionAt averageDaysBetween perMonth { month attended }"""
CLIENT_PROFILE = f"""query ClientProfile($id: ID!) {{ clientProfile(id: $id) {{
  id name email emailConfirmed timeZone
  engagements {{ id status service {{ id title }} registrationDetails {{ phone dateOfBirth }}
                progress {{ {PROGRESS} }} }}
  progress {{ {PROGRESS} }}
  paymentTotals {{ paid {{ amount currency }} count }}
  sessions(first: 50) {{ edges {{ cursor node {{ {SESSION} }} }}
                        pageInfo {{ hasNextPage endCursor }} }}
  notes(first: 50) {{ edges {{ cursor node {{ id aboutDate state title body createdAt }} }}
                     pageInfo {{ hasNextPage endCursor }} }}
}} }}"""
PRACTICE = f"""query Practice {{ practice {{
  profile {{ displayName }}
  services {{ id title professional {{ displayName }} }}
  pendingRequests {{ id client {{ name }} service {{ title }} }}
  invitations {{ email service {{ title }} }}
  engagements {{ id status clientProfileId client {{ name }} service {{ title }}
                professional {{ displayName }} progress {{ attended perMonth {{ attended }} }} }}
  todaySessions {{ {SESSION} client {{ name }} }}
  weekSessions {{ {SESSION} client {{ name }} engagement {{ status }} }}
  clients(first: 50) {{ edges {{ node {{
    name nextSessionAt engagements {{ service {{ title }} professional {{ displayName }} }}
  }} }} }}
}} }}"""


def _status(index: int) -> SessionStatus:
    if index % 10 == 3:
        return SessionStatus.CANCELLED
    if index % 25 == 11:
        return SessionStatus.NO_SHOW
    return SessionStatus.COMPLETED


async def add_sessions() -> None:
    """SESSIONS sessions every two days; the last AHEAD are booked ahead, from tomorrow on."""
    engagement = await Engagement.get().select_related("service__professional")
    service = engagement.service
    tomorrow = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    first = tomorrow - timedelta(days=2 * (SESSIONS - AHEAD))
    await Session.bulk_create([Session(
        engagement_id=engagement.id, professional_id=service.professional.account_id,
        client_id=engagement.client_id, starts_at=first + timedelta(days=2 * i),
        ends_at=first + timedelta(days=2 * i, minutes=50), length_minutes=50,
        price_amount=service.price_amount, currency=service.currency,
        booked_by_id=engagement.client_id,
        status=_status(i) if i < SESSIONS - AHEAD else SessionStatus.SCHEDULED,
    ) for i in range(SESSIONS)])


async def statements(settings: settings_module.Settings, query: str, variables: dict,
                     token: str) -> list[str]:
    """SQL statements of one request, counted in process from Tortoise's query log."""
    from app import create_app
    from tests.sql_count import counting_statements, sign_ins_seen_now

    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await gql(client, query, variables, token)
        await sign_ins_seen_now()
        with counting_statements() as seen:
            await gql(client, query, variables, token)
    return seen


async def measure(base: str, pid: int, views: dict[str, tuple[str, dict]], token: str,
                  requests: int, rounds: int) -> None:
    headers = {"authorization": f"Bearer {token}"}
    results: dict[str, dict[str, list[float]]] = {
        label: {"p50": [], "p99": [], "cpu": []} for label in views}
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        def sender(query: str, variables: dict):
            async def send(client: httpx.AsyncClient) -> None:
                response = await client.post("/graphql", headers=headers,
                                             json={"query": query, "variables": variables})
                assert response.status_code == 200
                assert "errors" not in response.json()
            return send

        senders = {label: sender(*view) for label, view in views.items()}
        for send in senders.values():
            for _ in range(20):  # warm
                await send(client)
        for _ in range(rounds):
            for label, send in senders.items():
                before = cpu_seconds(pid)
                durations, _ = await load(client, send, requests, 1)
                used = cpu_seconds(pid) - before
                ordered = sorted(durations)
                found = results[label]
                found["p50"].append(statistics.median(ordered) * 1000)
                found["p99"].append(ordered[min(len(ordered) - 1,
                                                round(0.99 * len(ordered)))] * 1000)
                found["cpu"].append(used / len(durations) * 1000)
    for label, found in results.items():
        print(f"  {label}, {rounds} rounds of {requests} at 1 in flight:")
        print(f"    p50 ms: {spread(found['p50'], 1)}")
        print(f"    p99 ms: {spread(found['p99'], 1)}")
        print(f"    server CPU per request ms: {spread(found['cpu'], 1)}")


async def run(database_url: str, requests: int, rounds: int, show_statements: bool) -> None:
    from tortoise import Tortoise

    env = {**os.environ, **QUIET_OUTBOX, "SECRET_KEY": new_secret_key()}
    settings = settings_module.from_env({**env, "DATABASE_URL": database_url})
    await db.migrate(database_url)
    await Tortoise.init(config=db.tortoise_config(database_url), _enable_global_fallback=True)
    process, base = start_server(database_url, env)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            token, client_id = await practice(client, Server(base, database_url,
                                                             decoded_key(env["SECRET_KEY"])))
            for i in range(NOTES):
                day = f"20{20 + i // 336:02}-{1 + i // 28 % 12:02}-{1 + i % 28:02}"
                written = await gql(client, WRITE, {"input": {
                    "clientId": client_id, "date": day, "title": f"Session {i}",
                    "body": BODY}}, token)
                assert written["writeNote"]["userErrors"] == []
        await add_sessions()
        views = {"(p) clientProfile": (CLIENT_PROFILE, {"id": client_id}),
                 "(d) practice": (PRACTICE, {})}
        print(f"{machine()}; {'PostgreSQL' if 'postgres' in database_url else 'SQLite'}; "
              f"1 client, {SESSIONS} sessions, {NOTES} notes of 2 KB")
        for label, (query, variables) in views.items():
            seen = await statements(settings, query, variables, token)
            print(f"  {label}: SQL statements per request: {len(seen)}")
            if show_statements:
                print("\n".join(f"    {statement[:160]}" for statement in seen))
        await measure(base, process.pid, views, token, requests, rounds)
    finally:
        process.terminate()
        process.wait(timeout=10)
        await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="an empty PostgreSQL database; default SQLite")
    parser.add_argument("--requests", type=int, default=200, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--show-statements", action="store_true",
                        help="print each view's SQL statements (their first 160 characters)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.database_url or f"sqlite://{folder}/bench.sqlite3",
                        args.requests, args.rounds, args.show_statements))


if __name__ == "__main__":
    main()
