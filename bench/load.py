"""A realistic mixed load against several uvicorn workers on PostgreSQL, then a count check.

    .venv/bin/python -m bench.load [--seconds 20] [--workers 2] [--pairs 6]
                                   [--admin-url postgres://postgres@127.0.0.1:5432/postgres]

Creates a scratch database (dropped afterwards), migrates it, and serves it with README's
production command (`uvicorn app:from_environment --factory --workers N`, production-strength
password hashing). Signs up `--pairs` professionals, each with one client of a self-booking
service, through the API. Then every pair runs one loop for `--seconds`, each step picked at
random from the mix a practice makes (`MIX`): the client reads their hub, searches slots,
books (a slot search of one day, then `bookSession`: timed together), cancels, signs in again
and downloads receipts; the professional writes and reads notes and
records payments. Every client holds a `hubUpdates` subscription throughout.

Prints the throughput, p50/p99 per operation and every error (a non-200, a GraphQL error or a
userErrors entry; none is expected: each loop only asks for what its own state allows). Then
checks, from the database, that what the successful responses said happened is what was
stored, once: sessions booked and cancelled, notes, payments, login sessions; and that every
booking was heard on its client's subscription, whichever worker held it. Exits non-zero on
any error or mismatch.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    QUIET_OUTBOX,
    ROOT,
    Server,
    _free_port,
    decoded_key,
    machine,
    new_secret_key,
    sign_up,
)
from tests.uvicorn_processes import production_command
from tests.ws_client import graphql_ws

PASSWORD = "benchmark passphrase"
START_LIMIT_SECONDS = 120
HEARD_LIMIT_SECONDS = 15
"""How long, after the load, the subscriptions may take to hear the last bookings."""

USER_ERRORS = "userErrors { field message code }"
CREATE_SERVICE = f"""mutation($input: CreateServiceInput!) {{
  createService(input: $input) {{ service {{ id slug }} {USER_ERRORS} }} }}"""
SET_AVAILABILITY = f"""mutation($input: SetAvailabilityInput!) {{
  setAvailability(input: $input) {{ availability {{ timeZone }} {USER_ERRORS} }} }}"""
REQUEST = f"""mutation($input: RequestServiceInput!) {{
  requestService(input: $input) {{ engagement {{ id }} {USER_ERRORS} }} }}"""
APPROVE = f"""mutation($input: ApproveRequestInput!) {{
  approveRequest(input: $input) {{ engagement {{ clientProfileId }} {USER_ERRORS} }} }}"""
HUB = """query Hub { hub {
  nextSession { id startsAt }
  upcomingSessions { id status startsAt service { title } professional { displayName } }
  pastSessions { edges { node { id status } } pageInfo { hasNextPage endCursor } }
  engagements { id status progress { attended scheduled nextSessionAt } }
} }"""
SLOTS = """query Slots($serviceId: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(serviceId: $serviceId, from: $from, to: $to) { startsAt } }"""
BOOK = f"""mutation Book($input: BookSessionInput!) {{
  bookSession(input: $input) {{ session {{ id status }} {USER_ERRORS} }} }}"""
CANCEL = f"""mutation Cancel($input: CancelSessionInput!) {{
  cancelSession(input: $input) {{ session {{ id status }} {USER_ERRORS} }} }}"""
WRITE_NOTE = f"""mutation WriteNote($input: WriteNoteInput!) {{
  writeNote(input: $input) {{ note {{ id }} {USER_ERRORS} }} }}"""
READ_NOTES = """query ReadNotes($id: ID!) { clientProfile(id: $id) {
  notes(first: 20) { edges { node { id title body } } pageInfo { hasNextPage } } } }"""
RECORD_PAYMENT = f"""mutation RecordPayment($input: RecordManualPaymentInput!) {{
  recordManualPayment(input: $input) {{ payment {{ id status receiptUrl }} {USER_ERRORS} }} }}"""
LOGIN = f"""mutation Login($input: LoginInput!) {{
  login(input: $input) {{ token {USER_ERRORS} }} }}"""
HUB_UPDATES = "subscription { hubUpdates { kind session { id } } }"

NOTE_BODY = "Slept better this week; breathing exercise twice a day. Þórunn: öndun. 🙂\n" * 12

MIX: dict[str, int] = {
    "hub": 25, "slots": 15, "book": 14, "cancel": 5, "write_note": 10, "read_notes": 10,
    "record_payment": 6, "receipt": 10, "login": 3,
}
"""Relative weights of the operations a pair's loop picks from."""

COUNTED = {
    "sessions booked": "SELECT count(*) FROM scheduling_session",
    "sessions cancelled": "SELECT count(*) FROM scheduling_session "
                          "WHERE status IN ('cancelled', 'late_cancelled')",
    "notes": "SELECT count(*) FROM note",
    "payments": "SELECT count(*) FROM payment",
    "login sessions": "SELECT count(*) FROM login_session",
}
"""What the database holds, against the successes that should have made it (by the same name)."""


class Refused(Exception):
    """An answer that is not the success the loop asked for (counted as an error)."""


@dataclass
class Pair:
    """One professional and their client, and what their loop has made so far."""

    index: int
    professional: str
    client: str
    client_email: str
    service_id: str
    engagement_id: str
    client_profile_id: str
    rng: random.Random
    bookable: list[str] = field(default_factory=list)
    """Booked sessions neither cancelled nor paid: what `cancel` and `record_payment` take."""
    receipts: list[str] = field(default_factory=list)
    booked: set[str] = field(default_factory=set)
    heard: set[str] = field(default_factory=set)


@dataclass
class Tally:
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    successes: Counter[str] = field(default_factory=Counter)


async def gql(http: httpx.AsyncClient, query: str, variables: dict[str, Any],
              token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables},
                               headers=headers)
    if response.status_code != 200:
        raise Refused(f"HTTP {response.status_code}")
    body = response.json()
    if body.get("errors"):
        raise Refused(body["errors"][0].get("extensions", {}).get("code", "GraphQL error"))
    data: dict[str, Any] = body["data"]
    payload = next(iter(data.values()))
    if isinstance(payload, dict) and payload.get("userErrors"):
        raise Refused(payload["userErrors"][0]["code"])
    return data


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- the operations: each returns what it made (counted by name), or nothing ---------------


async def hub(http: httpx.AsyncClient, pair: Pair) -> None:
    await gql(http, HUB, {}, pair.client)


async def _slots(http: httpx.AsyncClient, pair: Pair) -> list[str]:
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=pair.rng.randint(2, 50))
    found = await gql(http, SLOTS, {"serviceId": pair.service_id, "from": iso(day),
                                    "to": iso(day + timedelta(days=1))}, pair.client)
    return [slot["startsAt"] for slot in found["availableSlots"]]


async def slots(http: httpx.AsyncClient, pair: Pair) -> None:
    await _slots(http, pair)


async def book(http: httpx.AsyncClient, pair: Pair) -> str | None:
    free = await _slots(http, pair)
    if not free:
        raise Refused("no free slot on a whole day")
    booked = await gql(http, BOOK, {"input": {"engagementId": pair.engagement_id,
                                              "startsAt": pair.rng.choice(free)}}, pair.client)
    session_id: str = booked["bookSession"]["session"]["id"]
    pair.bookable.append(session_id)
    pair.booked.add(session_id)
    return "sessions booked"


async def cancel(http: httpx.AsyncClient, pair: Pair) -> str | None:
    session_id = pair.bookable.pop(0)
    await gql(http, CANCEL, {"input": {"sessionId": session_id}}, pair.client)
    return "sessions cancelled"


async def write_note(http: httpx.AsyncClient, pair: Pair) -> str | None:
    await gql(http, WRITE_NOTE, {"input": {
        "clientId": pair.client_profile_id, "date": datetime.now(UTC).date().isoformat(),
        "title": f"Session notes {pair.rng.randint(1, 10**6)}", "body": NOTE_BODY,
    }}, pair.professional)
    return "notes"


async def read_notes(http: httpx.AsyncClient, pair: Pair) -> None:
    await gql(http, READ_NOTES, {"id": pair.client_profile_id}, pair.professional)


async def record_payment(http: httpx.AsyncClient, pair: Pair) -> str | None:
    session_id = pair.bookable.pop()
    paid = await gql(http, RECORD_PAYMENT, {"input": {"sessionId": session_id,
                                                      "method": "CASH"}}, pair.professional)
    pair.receipts.append(paid["recordManualPayment"]["payment"]["receiptUrl"])
    return "payments"


async def receipt(http: httpx.AsyncClient, pair: Pair) -> None:
    link = urlsplit(pair.rng.choice(pair.receipts))
    response = await http.get(urlunsplit(("", "", link.path, link.query, "")))
    if response.status_code != 200 or not response.content.startswith(b"%PDF"):
        raise Refused(f"receipt HTTP {response.status_code}")


async def login(http: httpx.AsyncClient, pair: Pair) -> str | None:
    signed_in = await gql(http, LOGIN, {"input": {"email": pair.client_email,
                                                  "password": PASSWORD}})
    pair.client = signed_in["login"]["token"]
    return "login sessions"


OPERATIONS: dict[str, Callable[[httpx.AsyncClient, Pair], Awaitable[str | None]]] = {
    "hub": hub, "slots": slots, "book": book, "cancel": cancel, "write_note": write_note,
    "read_notes": read_notes, "record_payment": record_payment, "receipt": receipt,
    "login": login,
}


# -- the run ---------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def scratch_database(admin_url: str) -> AsyncIterator[str]:
    name = f"bench_load_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(admin_url)
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.asynccontextmanager
async def workers(database_url: str, count: int, log: Path) -> AsyncIterator[Server]:
    """README's production command with `count` workers on a free loopback port."""
    secret_key = new_secret_key()
    env = {**os.environ, **QUIET_OUTBOX, "SECRET_KEY": secret_key, "DATABASE_URL": database_url}
    migrate = await asyncio.create_subprocess_exec(sys.executable, "app.py", "migrate", cwd=ROOT,
                                                   env=env, stdout=subprocess.DEVNULL)
    if await migrate.wait() != 0:
        raise SystemExit("migrating the scratch database failed")
    port = _free_port()
    command = production_command()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", *command[1:], "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(count), cwd=ROOT, env=env,
        stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_LIMIT_SECONDS
        while (text := await asyncio.to_thread(log.read_text)).count(
                "Application startup complete.") < count:
            if process.returncode is not None or time.monotonic() > deadline:
                raise SystemExit(f"the workers did not start:\n{text}")
            await asyncio.sleep(0.1)
        yield Server(f"http://127.0.0.1:{port}", database_url, decoded_key(secret_key))
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 60)


async def seed_pair(http: httpx.AsyncClient, server: Server, index: int) -> Pair:
    """Through the API: a professional, a self-booking service open all day, an engaged
    client."""
    professional = (await sign_up(http, server, f"pro{index}@load.test", PASSWORD,
                                  name=f"Professional {index}", roles=["PROFESSIONAL"]))["token"]
    service = (await gql(http, CREATE_SERVICE, {"input": {
        "title": f"Counselling {index}", "kind": "PSYCHOLOGY", "sessionMinutes": 50,
        "price": {"amount": 18000, "currency": "ISK"}, "requiredDetails": [],
        "customQuestions": [], "selfBooking": True}}, professional))["createService"]["service"]
    await gql(http, SET_AVAILABILITY, {"input": {"timeZone": "UTC", "weeklyHours": [
        {"weekday": day, "start": "00:00", "end": "00:00"} for day in (
            "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")]}},
        professional)
    email = f"client{index}@load.test"
    client = (await sign_up(http, server, email, PASSWORD, name=f"Client {index}"))["token"]
    engagement = (await gql(http, REQUEST, {"input": {"slug": service["slug"], "details": {}}},
                            client))["requestService"]["engagement"]["id"]
    approved = await gql(http, APPROVE, {"input": {"engagementId": engagement}}, professional)
    return Pair(index, professional, client, email, service["id"], engagement,
                approved["approveRequest"]["engagement"]["clientProfileId"],
                random.Random(index))


async def listen(server: Server, pair: Pair, ready: asyncio.Event,
                 heard_more: asyncio.Event) -> None:
    """The client's open hub: every SESSION_BOOKED it hears, until cancelled."""
    url = server.base.replace("http://", "ws://") + "/graphql"
    async with graphql_ws(url, {"authorization": f"Bearer {pair.client}"}) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.subscribe(HUB_UPDATES)
        assert (await ws.next_data())["hubUpdates"]["kind"] == "LISTENING"
        ready.set()
        while True:
            message = await ws.connection.recv()
            update = json.loads(message)["payload"]["data"]["hubUpdates"]
            if update["kind"] == "SESSION_BOOKED":
                pair.heard.add(update["session"]["id"])
                heard_more.set()


async def all_heard(pairs: list[Pair], heard_more: asyncio.Event) -> None:
    """Until every booking has been heard by its client's subscription."""
    while any(not pair.booked <= pair.heard for pair in pairs):
        heard_more.clear()
        await heard_more.wait()


def possible(name: str, pair: Pair) -> str:
    """The operation itself, or what the pair must do first: cancelling or paying needs a
    booked session, a receipt download a payment."""
    if name == "receipt" and not pair.receipts:
        name = "record_payment"
    if name in ("cancel", "record_payment") and not pair.bookable:
        name = "book"
    return name


async def drive(http: httpx.AsyncClient, pair: Pair, until: float, tally: Tally) -> None:
    names, weights = list(MIX), list(MIX.values())
    while time.monotonic() < until:
        name = possible(pair.rng.choices(names, weights)[0], pair)
        started = time.perf_counter()
        try:
            made = await OPERATIONS[name](http, pair)
        except (Refused, httpx.HTTPError) as error:
            tally.errors[f"{name}: {error}"] += 1
            continue
        tally.durations[name].append(time.perf_counter() - started)
        if made:
            tally.successes[made] += 1


async def counts(database_url: str) -> dict[str, int]:
    connection = await asyncpg.connect(database_url)
    try:
        return {name: await connection.fetchval(query) for name, query in COUNTED.items()}
    finally:
        await connection.close()


def report(tally: Tally, seconds: float) -> None:
    total = sum(len(each) for each in tally.durations.values())
    print(f"throughput: {total / seconds:,.1f} operations/s over {seconds:.1f} s "
          f"({total} operations, {sum(tally.errors.values())} errors)\n")
    print(f"{'operation':<16}{'n':>7}{'per s':>9}{'p50 ms':>10}{'p99 ms':>10}")
    for name in MIX:
        ordered = sorted(tally.durations.get(name, []))
        if not ordered:
            continue
        p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))]
        print(f"{name:<16}{len(ordered):>7}{len(ordered) / seconds:>9.1f}"
              f"{statistics.median(ordered) * 1000:>10.1f}{p99 * 1000:>10.1f}")
    for error, n in tally.errors.most_common():
        print(f"error: {error} (x{n})")


async def run(arguments: argparse.Namespace) -> bool:
    async with scratch_database(arguments.admin_url) as database_url:
        with tempfile.TemporaryDirectory() as folder:
            async with (workers(database_url, arguments.workers, Path(folder) / "uvicorn.log")
                        as server,
                        httpx.AsyncClient(base_url=server.base, timeout=60) as http):
                pairs = [await seed_pair(http, server, index)
                         for index in range(arguments.pairs)]
                readiness, heard_more = [asyncio.Event() for _ in pairs], asyncio.Event()
                listeners = [asyncio.create_task(listen(server, pair, ready, heard_more))
                             for pair, ready in zip(pairs, readiness, strict=True)]
                await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readiness)), 30)
                before = await counts(database_url)
                tally = Tally()
                started = time.monotonic()
                await asyncio.gather(*(drive(http, pair, started + arguments.seconds, tally)
                                       for pair in pairs))
                elapsed = time.monotonic() - started
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(all_heard(pairs, heard_more), HEARD_LIMIT_SECONDS)
                for task in listeners:
                    task.cancel()
                await asyncio.gather(*listeners, return_exceptions=True)
                after = await counts(database_url)
    print(f"Mixed load, {arguments.workers} uvicorn workers on PostgreSQL, {arguments.pairs} "
          f"pairs in flight, {machine()}\n")
    report(tally, elapsed)
    print()
    ok = not tally.errors
    for name in COUNTED:
        stored, answered = after[name] - before[name], tally.successes[name]
        same = stored == answered
        ok &= same
        print(f"{name:<20} answered {answered:>6}  stored {stored:>6}  "
              f"{'ok' if same else 'MISMATCH'}")
    booked = sum(len(pair.booked) for pair in pairs)
    heard = sum(len(pair.booked & pair.heard) for pair in pairs)
    ok &= booked == heard
    print(f"{'bookings heard':<20} answered {booked:>6}  heard  {heard:>6}  "
          f"{'ok' if booked == heard else 'MISMATCH'} (hubUpdates, {len(pairs)} subscribers)")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL database to create and drop the scratch one from")
    if not asyncio.run(run(parser.parse_args())):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
