"""The hub's cost against a running server (uvicorn, one process), next to a raw-SQL baseline.

    .venv/bin/python -m bench.hub [--database-url postgres://.../<empty db>] [--requests 300]

Seeds one client (Europe/Berlin) with 5 services of 5 professionals x 200 sessions (190 held,
10 booked ahead), then measures in the same run, on the same database:
  (a) the default hub page (HUB_PAGE: next, 5 upcoming, 20 past, engagements with progress,
      totals) at 1 and at 4 requests in flight;
  (b) the full 1,000-session history paged through, 100 at a time;
  (c) bench/hub_baseline.py: the same JSON as (a) from hand-written SQL, same server.
Prints requests/s, p50 and p99 for each, the ratios to the baseline, and the SQL statement count
of (a) for the small (one session) and the full history.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db
import settings as settings_module
from bench.common import (
    QUIET_OUTBOX,
    ROOT,
    Server,
    _free_port,
    decoded_key,
    machine,
    new_secret_key,
    sign_up,
    summary,
)
from models.practice import Engagement
from models.scheduling import Session, SessionStatus

PASSWORD = "benchmark passphrase"
SERVICES, SESSIONS_PER_SERVICE, AHEAD = 5, 200, 10

SESSION = """id status startsAt endsAt startsAtLocal endsAtLocal canJoin joinOpensAt
  price { amount currency } service { id title } professional { id displayName }"""
HUB_PAGE = f"""query HubPage {{ hub {{
  timeZone
  nextSession {{ {SESSION} }}
  upcomingSessions {{ {SESSION} }}
  pastSessions {{ edges {{ cursor node {{ {SESSION} }} }} pageInfo {{ hasNextPage endCursor }} }}
  engagements {{
    id status service {{ id title }} professional {{ id displayName }}
    progress {{ attended cancelled lateCancelled noShows scheduled firstSessionAt lastSessionAt
               nextSessionAt averageDaysBetween perMonth {{ month attended }} }}
  }}
  totals {{ sessionsAttended services professionals }}
}} }}"""
HISTORY_PAGE = f"""query History($after: String) {{ hub {{ pastSessions(first: 100, after: $after)
  {{ edges {{ node {{ {SESSION} }} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"""

CREATE = """mutation($i: CreateServiceInput!) { createService(input: $i) {
  service { slug } userErrors { message } } }"""
REQUEST = """mutation($i: RequestServiceInput!) { requestService(input: $i) {
  engagement { id } userErrors { message } } }"""
APPROVE = """mutation($i: ApproveRequestInput!) { approveRequest(input: $i) {
  userErrors { message } } }"""


def serve() -> None:
    """The app plus the baseline route, as `python app.py serve` runs it."""
    import uvicorn
    from starlette.routing import Route

    from app import create_app
    from bench.hub_baseline import Baseline

    settings = settings_module.from_env()
    app = create_app(settings)
    app.router.routes.append(Route("/baseline/hub", Baseline(settings).respond))
    uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="warning")


async def gql(client: httpx.AsyncClient, query: str, variables: dict | None = None,
              token: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = (await client.post("/graphql", json={"query": query, "variables": variables or {}},
                              headers=headers)).json()
    assert "errors" not in body, body
    return body["data"]


async def seed(client: httpx.AsyncClient, server: Server) -> str:
    """Through the API: the client, 5 professionals with a service each, approved requests."""
    async def register(email: str, roles: list[str], zone: str) -> str:
        signed_in = await sign_up(client, server, email, PASSWORD,
                                  name=email.split("@")[0].title(), time_zone=zone, roles=roles)
        return signed_in["token"]

    anna = await register("anna@bench.test", ["CLIENT"], "Europe/Berlin")
    for i in range(SERVICES):
        owner = await register(f"pro{i}@bench.test", ["PROFESSIONAL"], "Atlantic/Reykjavik")
        service = (await gql(client, CREATE, {"i": {
            "title": f"Service {i}", "kind": "PSYCHOLOGY", "sessionMinutes": 50,
            "price": {"amount": 18000, "currency": "ISK"}, "requiredDetails": []}},
            owner))["createService"]["service"]
        engagement = (await gql(client, REQUEST, {"i": {"slug": service["slug"], "details": {}}},
                                anna))["requestService"]["engagement"]
        await gql(client, APPROVE, {"i": {"engagementId": engagement["id"]}}, owner)
    return anna


def _status(index: int) -> SessionStatus:
    if index % 10 == 3:
        return SessionStatus.CANCELLED
    if index % 15 == 7:
        return SessionStatus.LATE_CANCELLED
    if index % 25 == 11:
        return SessionStatus.NO_SHOW
    return SessionStatus.COMPLETED


async def add_history() -> None:
    """200 sessions per engagement every two days, staggered by an hour so none overlap."""
    # The next whole hour: the first session booked ahead has not started (nor ended) yet.
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    held = SESSIONS_PER_SERVICE - AHEAD
    for hour, engagement in enumerate(await Engagement.all().select_related(
            "service__professional")):
        service = engagement.service
        first = now - timedelta(days=2 * held, hours=-hour)
        await Session.bulk_create([Session(
            engagement_id=engagement.id, professional_id=service.professional.account_id,
            client_id=engagement.client_id, starts_at=first + timedelta(days=2 * i),
            ends_at=first + timedelta(days=2 * i, minutes=50), length_minutes=50,
            price_amount=service.price_amount, currency=service.currency,
            booked_by_id=engagement.client_id,
            status=_status(i) if i < held else SessionStatus.SCHEDULED,
        ) for i in range(SESSIONS_PER_SERVICE)])


async def statements(settings: settings_module.Settings, token: str) -> int:
    """SQL statements of (a), counted in process from Tortoise's query log."""
    from app import create_app
    from tests.sql_count import counting_statements

    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await gql(client, HUB_PAGE, token=token)
        with counting_statements() as seen:
            await gql(client, HUB_PAGE, token=token)
    return len(seen)


async def load(client: httpx.AsyncClient, send, requests: int, in_flight: int
               ) -> tuple[list[float], float]:
    durations: list[float] = []
    left = list(range(requests))

    async def worker() -> None:
        while left:
            left.pop()
            began = time.perf_counter()
            await send(client)
            durations.append(time.perf_counter() - began)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return durations, time.perf_counter() - started


async def measure(base: str, token: str, requests: int) -> None:
    headers = {"authorization": f"Bearer {token}"}

    async def hub_page(client: httpx.AsyncClient) -> None:
        response = await client.post("/graphql", json={"query": HUB_PAGE}, headers=headers)
        assert response.status_code == 200

    async def baseline(client: httpx.AsyncClient) -> None:
        response = await client.get("/baseline/hub", headers=headers)
        assert response.status_code == 200

    async def history(client: httpx.AsyncClient) -> None:
        after, seen = None, 0
        while True:
            page = (await gql(client, HISTORY_PAGE, {"after": after}, token))["hub"][
                "pastSessions"]
            seen += len(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == SERVICES * (SESSIONS_PER_SERVICE - AHEAD), seen

    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        graphql_json = (await client.post("/graphql", json={"query": HUB_PAGE},
                                          headers=headers)).json()
        baseline_json = (await client.get("/baseline/hub", headers=headers)).json()
        same = _without_timing(graphql_json) == _without_timing(baseline_json)
        print(f"baseline JSON identical to (a): {same}")
        for _ in range(20):  # warm both paths
            await hub_page(client)
            await baseline(client)
        rates = {}
        for in_flight in (1, 4):
            for label, send in (("(a) hub page", hub_page), ("(c) baseline", baseline)):
                durations, wall = await load(client, send, requests, in_flight)
                rates[label, in_flight] = len(durations) / wall
                print(summary(f"{label}, {in_flight} in flight", durations, wall))
            print(f"    (a) / (c) throughput, {in_flight} in flight: "
                  f"{rates['(a) hub page', in_flight] / rates['(c) baseline', in_flight]:.2f}")
        durations, wall = await load(client, history, max(5, requests // 30), 1)
        print(summary("(b) full history, 10 pages of 100 (per walk)", durations,
                      wall))


def _without_timing(body: dict) -> dict:
    """canJoin depends on the instant of the request; everything else must match."""
    text = orjson.dumps(body).decode().replace('"canJoin":true', '"canJoin":false')
    return orjson.loads(text)


def start_server(database_url: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.hub", "serve"], cwd=ROOT,
        env={**env, "DATABASE_URL": database_url, "PORT": str(port)},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not start")


async def run(database_url: str, requests: int) -> None:
    from tortoise import Tortoise

    env = {**os.environ, **QUIET_OUTBOX, "SECRET_KEY": new_secret_key()}
    settings = settings_module.from_env({**env, "DATABASE_URL": database_url})
    await db.migrate(database_url)
    await Tortoise.init(config=db.tortoise_config(database_url), _enable_global_fallback=True)
    process, base = start_server(database_url, env)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            token = await seed(client, Server(base, database_url,
                                              decoded_key(env["SECRET_KEY"])))
        small = await statements(settings, token)
        await add_history()
        large = await statements(settings, token)
        print(f"{machine()}; {'PostgreSQL' if 'postgres' in database_url else 'SQLite'}; "
              f"{SERVICES} services x {SESSIONS_PER_SERVICE} sessions")
        print(f"SQL statements of (a): {small} with no sessions, {large} with "
              f"{SERVICES * SESSIONS_PER_SERVICE}")
        await measure(base, token, requests)
    finally:
        process.terminate()
        process.wait(timeout=10)
        await Tortoise.close_connections()


def main() -> None:
    if sys.argv[1:] == ["serve"]:
        serve()
        return
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="an empty PostgreSQL database; default SQLite")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.database_url or f"sqlite://{folder}/bench.sqlite3",
                        args.requests))


if __name__ == "__main__":
    main()
