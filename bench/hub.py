"""The hub's cost against a running server (uvicorn, one process), next to a raw-SQL baseline.

    .venv/bin/python -m bench.hub [--database-url postgres://.../<empty db>] [--requests 200]
                                  [--rounds 5] [--sizes 10,1000,5000]

Seeds one client (Europe/Berlin) with 5 services of 5 professionals, then for each history
size (10, 1,000 and 5,000 sessions, every two days, a few booked ahead) measures on the same
server and database:
  (a) the default hub page (HUB_PAGE: next, 5 upcoming, 20 past, engagements with progress,
      totals) at 1 and at 4 requests in flight;
  (c) bench/hub_baseline.py: the same JSON as (a) from hand-written SQL, same server;
  (b) the whole history paged through 50 at a time, by GraphQL and by the baseline's raw
      keyset query (`/baseline/history`), in interleaved rounds too.
Rounds are interleaved (a baseline batch, then a hub batch, repeated) so the machine's noise
falls on both. For each batch: throughput and the server's CPU per request, read from the
server process's own clock (/proc/<pid>/stat, user + system). Prints min/median/max over the
rounds of each ratio, the SQL statement count of (a), and p50 latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
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

from tortoise.connection import get_connection

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
    run_server,
    sign_up,
)
from models.practice import Engagement
from models.scheduling import Session, SessionStatus
from resolvers.core.pagination import DEFAULT_PAGE_SIZE

PASSWORD = "benchmark passphrase"
SERVICES, AHEAD = 5, 10
SIZES = (10, 1_000, 5_000)
"""Sessions in the client's whole history, spread evenly over the services."""
HISTORY_FIRST = 50

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
HISTORY_PAGE = f"""query History($after: String) {{ hub {{
  pastSessions(first: {HISTORY_FIRST}, after: $after)
  {{ edges {{ node {{ {SESSION} }} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"""

CREATE = """mutation($i: CreateServiceInput!) { createService(input: $i) {
  service { slug } userErrors { message } } }"""
REQUEST = """mutation($i: RequestServiceInput!) { requestService(input: $i) {
  engagement { id } userErrors { message } } }"""
APPROVE = """mutation($i: ApproveRequestInput!) { approveRequest(input: $i) {
  userErrors { message } } }"""


def serve() -> None:
    """The app plus the baseline routes, as `python app.py serve` runs it (both served by one
    process, with the garbage collection of a server)."""
    from starlette.routing import Route

    from app import create_app
    from bench.hub_baseline import Baseline
    from middleware import garbage_collection

    settings = settings_module.from_env()
    app = create_app(settings)
    baseline = Baseline(settings)
    app.router.routes.append(Route("/baseline/hub", baseline.respond))
    app.router.routes.append(Route("/baseline/history", baseline.history))
    garbage_collection.tune_for_serving()
    run_server(app, settings.port)


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


def held(per_service: int) -> int:
    """Sessions of one engagement that are over; the rest are booked ahead."""
    return per_service - min(AHEAD, per_service // 2)


async def add_history(per_service: int) -> None:
    """`per_service` sessions per engagement every two days, staggered by an hour so none
    overlap, replacing any there were (the database's triggers keep the progress totals)."""
    await Session.all().delete()
    # The next whole hour: the first session booked ahead has not started (nor ended) yet.
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    done = held(per_service)
    for hour, engagement in enumerate(await Engagement.all().select_related(
            "service__professional")):
        service = engagement.service
        first = now - timedelta(days=2 * done, hours=-hour)
        await Session.bulk_create([Session(
            engagement_id=engagement.id, professional_id=service.professional.account_id,
            client_id=engagement.client_id, starts_at=first + timedelta(days=2 * i),
            ends_at=first + timedelta(days=2 * i, minutes=50), length_minutes=50,
            price_amount=service.price_amount, currency=service.currency,
            booked_by_id=engagement.client_id,
            status=_status(i) if i < done else SessionStatus.SCHEDULED,
        ) for i in range(per_service)])
    # The planner's statistics after the bulk insert, as autovacuum would gather them on a
    # live database; without them PostgreSQL sorts the whole history for a page of 20.
    await get_connection("default").execute_script("ANALYZE")


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far, from its own clock."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


class Batch:
    """One batch: requests a second, server CPU per request, latencies."""

    def __init__(self, durations: list[float], wall: float, cpu: float) -> None:
        self.rate = len(durations) / wall
        self.cpu = cpu / len(durations)
        self.p50 = statistics.median(durations)


async def batch(client: httpx.AsyncClient, pid: int, send, requests: int, in_flight: int
                ) -> Batch:
    before = cpu_seconds(pid)
    durations, wall = await load(client, send, requests, in_flight)
    return Batch(durations, wall, cpu_seconds(pid) - before)


def spread(values: list[float], digits: int = 2) -> str:
    return (f"min {min(values):.{digits}f} / median {statistics.median(values):.{digits}f} / "
            f"max {max(values):.{digits}f}")


async def measure(base: str, pid: int, token: str, requests: int, rounds: int,
                  sessions: int) -> dict[str, float]:
    """Interleaved rounds of (c) then (a) at 1 and 4 in flight, then the history walks."""
    headers = {"authorization": f"Bearer {token}"}

    async def hub_page(client: httpx.AsyncClient) -> None:
        response = await client.post("/graphql", json={"query": HUB_PAGE}, headers=headers)
        assert response.status_code == 200

    async def baseline(client: httpx.AsyncClient) -> None:
        response = await client.get("/baseline/hub", headers=headers)
        assert response.status_code == 200

    async def walk(client: httpx.AsyncClient, page) -> int:
        after, seen = None, 0
        while True:
            found = (await page(client, after))["hub"]["pastSessions"]
            seen += len(found["edges"])
            if not found["pageInfo"]["hasNextPage"]:
                return seen
            after = found["pageInfo"]["endCursor"]

    async def graphql_page(client: httpx.AsyncClient, after: str | None) -> dict:
        return await gql(client, HISTORY_PAGE, {"after": after}, token)

    async def raw_page(client: httpx.AsyncClient, after: str | None) -> dict:
        params = {"after": after} if after else {}
        return (await client.get("/baseline/history", params=params, headers=headers)).json()[
            "data"]

    results: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        graphql_json = (await client.post("/graphql", json={"query": HUB_PAGE},
                                          headers=headers)).json()
        baseline_json = (await client.get("/baseline/hub", headers=headers)).json()
        same = _without_timing(graphql_json) == _without_timing(baseline_json)
        print(f"  baseline JSON identical to (a): {same}")
        for _ in range(30):  # warm both paths
            await hub_page(client)
            await baseline(client)
        for in_flight in (1, 4):
            throughput, cpu, hub_cpu, base_cpu, p50, base_p50 = [], [], [], [], [], []
            for _ in range(rounds):
                raw = await batch(client, pid, baseline, requests, in_flight)
                ours = await batch(client, pid, hub_page, requests, in_flight)
                throughput.append(ours.rate / raw.rate)
                cpu.append(raw.cpu / ours.cpu)
                hub_cpu.append(ours.cpu * 1000)
                base_cpu.append(raw.cpu * 1000)
                p50.append(ours.p50 * 1000)
                base_p50.append(raw.p50 * 1000)
            print(f"  {in_flight} in flight, {rounds} rounds of {requests}:")
            print(f"    (a) hub CPU per request ms: {spread(hub_cpu, 1)}; (c) baseline: "
                  f"{spread(base_cpu, 1)}")
            print(f"    CPU ratio (c)/(a) (>= 0.33 means hub CPU <= 3x baseline): "
                  f"{spread(cpu)}")
            print(f"    throughput ratio (a)/(c): {spread(throughput)}")
            print(f"    (a) p50 ms: {spread(p50, 1)}; (c) baseline: {spread(base_p50, 1)}")
            results[f"p50_{in_flight}"] = statistics.median(p50)
            results[f"baseline_p50_{in_flight}"] = statistics.median(base_p50)
        walks = max(1, min(5, 5_000 // max(sessions, 1)))
        per_session: dict[str, list[float]] = {"GraphQL": [], "raw": []}
        for _ in range(rounds):
            for label, page in (("raw", raw_page), ("GraphQL", graphql_page)):
                before, seen = cpu_seconds(pid), 0
                for _ in range(walks):
                    seen += await walk(client, page)
                per_session[label].append((cpu_seconds(pid) - before) / seen * 1000)
        print(f"  (b) history walks of {seen} sessions, {walks} a round, {rounds} rounds "
              f"interleaved: ms CPU per session, GraphQL pastSessions(first: 50): "
              f"{spread(per_session['GraphQL'], 3)}; raw keyset query: "
              f"{spread(per_session['raw'], 3)}")
        ratios = [ours / raw for ours, raw in zip(per_session["GraphQL"], per_session["raw"],
                                                   strict=True) if raw > 0]
        if ratios:
            print(f"    history CPU per session, GraphQL / raw (<= 2 is the target): "
                  f"{spread(ratios, 1)}")
    return results


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


async def run(database_url: str, requests: int, rounds: int, sizes: list[int],
              profile: str | None = None) -> None:
    from tortoise import Tortoise

    env = {**os.environ, **QUIET_OUTBOX, "SECRET_KEY": new_secret_key(),
           **({"BENCH_PROFILE": profile} if profile else {})}
    settings = settings_module.from_env({**env, "DATABASE_URL": database_url})
    await db.migrate(database_url)
    await Tortoise.init(config=db.tortoise_config(database_url), _enable_global_fallback=True)
    process, base = start_server(database_url, env)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            token = await seed(client, Server(base, database_url,
                                              decoded_key(env["SECRET_KEY"])))
        print(f"{machine()}; {'PostgreSQL' if 'postgres' in database_url else 'SQLite'}; "
              f"{SERVICES} services")
        p50s = {}
        for size in sizes:
            per_service = max(2, size // SERVICES)
            await add_history(per_service)
            count = await statements(settings, token)
            print(f"history of {per_service * SERVICES} sessions "
                  f"({held(per_service) * SERVICES} held): SQL statements of (a): {count}")
            found = await measure(base, process.pid, token, requests, rounds,
                                  per_service * SERVICES)
            p50s[size] = (found["p50_1"], found["baseline_p50_1"])
        if len(p50s) > 1:
            smallest, largest = min(p50s), max(p50s)
            shown = min(DEFAULT_PAGE_SIZE, held(max(2, smallest // SERVICES)) * SERVICES)
            print(f"p50 at 1 in flight, {largest} sessions / {smallest} sessions: (a) "
                  f"{p50s[largest][0] / p50s[smallest][0]:.2f}; (c) baseline "
                  f"{p50s[largest][1] / p50s[smallest][1]:.2f} (the page shows {shown} past "
                  f"sessions at {smallest}, {DEFAULT_PAGE_SIZE} at {largest})")
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
    parser.add_argument("--requests", type=int, default=200, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES),
                        help="history sizes, comma-separated")
    parser.add_argument("--profile", metavar="FILE",
                        help="run the server under cProfile and write its stats to FILE "
                             "(the figures are then the profiler's, not the server's)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.database_url or f"sqlite://{folder}/bench.sqlite3",
                        args.requests, args.rounds, sizes, args.profile))


if __name__ == "__main__":
    main()
