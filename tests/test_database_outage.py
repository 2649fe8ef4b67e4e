"""With its PostgreSQL stopped, the served app answers every route with a temporary JSON error
(503, `Retry-After`, `extensions.code: UNAVAILABLE`) instead of a plain-text 500, so the SPA
waits and Stripe redelivers; once the database is back, the same requests succeed without a
restart. The test stops a private cluster of its own, never the shared one at 5432."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import TEST_ENV
from tests.fake_stripe import FakeStripe, event_payload, sign_webhook
from tests.helpers import LOGIN, PASSWORD
from tests.mailbox import free_port
from tests.payment_steps import RECORD_MANUAL
from tests.scheduling_steps import book, every_day, practice, soon
from tests.served_app import served
from tests.test_calendar_feeds import CREATE as CREATE_FEED
from tests.test_server import _HttpApi
from tests.uvicorn_processes import ROOT

POSTGRES_USER = "postgres"
VIEWER = "{ viewer { email } }"
WAIT_ROUNDS = 600  # bounded: a server that never recovers fails instead of hanging


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found and shutil.which("runuser") else None


@dataclass
class Cluster:
    """A private PostgreSQL cluster: its own data directory, port and socket directory."""

    bin: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://{POSTGRES_USER}@127.0.0.1:{self.port}/therapyhub"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", POSTGRES_USER, "--", *command], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w",
                          "-l", str(self.data.parent / "postgres.log"), "-o",
                          f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1",
                          "start")

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast",
                          "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) and runuser are "
                        "required under CI: the database outage test cannot run.")
        pytest.skip("No PostgreSQL server binaries in /usr/lib/postgresql/*/bin (or no "
                    "runuser): skipped the database outage test; install postgresql to run it.")
    root = Path(tempfile.mkdtemp(prefix="therapyhub-outage-"))
    shutil.chown(root, POSTGRES_USER)
    running = Cluster(bin=bin_dir, data=root / "data", port=free_port())
    try:
        running._as_postgres(str(bin_dir / "initdb"), "-D", str(running.data), "-A", "trust",
                             "-U", POSTGRES_USER, "--no-sync")
        running.start()
        running._as_postgres(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p",
                             str(running.port), "-U", POSTGRES_USER, "therapyhub")
        yield running
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            running.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Seeded:
    client: str
    professional: str
    receipt: str
    feed: str


async def _seed(http: httpx.AsyncClient, database_url: str) -> Seeded:
    """What the routes need, made through the API as users make it: a client with a paid
    session (its receipt link) and a calendar feed."""
    api = _HttpApi(http, database_url)
    setup = await practice(api, timeZone="UTC", weeklyHours=every_day("00:00", "00:00"))
    session = (await book(api, setup.professional, setup.engagement_id, soon(30)))["session"]
    paid = (await api.data(RECORD_MANUAL, {"input": {"sessionId": session["id"],
                                                     "method": "CASH"}},
                           token=setup.professional))["recordManualPayment"]
    assert paid["userErrors"] == []
    feed = (await api.data(CREATE_FEED, token=setup.client))["createCalendarFeed"]
    receipt = urlsplit(paid["payment"]["receiptUrl"])
    return Seeded(client=setup.client, professional=setup.professional,
                  receipt=f"{receipt.path}?{receipt.query}", feed=urlsplit(feed["url"]).path)


def _webhook() -> tuple[bytes, dict[str, str]]:
    payload = event_payload("payment_intent.succeeded", {"id": "pi_outage", "object":
                                                         "payment_intent"})
    return payload, {"Stripe-Signature": sign_webhook(payload),
                     "Content-Type": "application/json"}


async def _every_route(http: httpx.AsyncClient, seeded: Seeded) -> dict[str, httpx.Response]:
    payload, headers = _webhook()
    bearer = {"Authorization": f"Bearer {seeded.client}"}
    return {
        "query": await http.post("/graphql", json={"query": VIEWER}, headers=bearer),
        "sign-in": await http.post("/graphql", json={"query": LOGIN, "variables": {
            "input": {"email": "anna@example.com", "password": PASSWORD}}}),
        "mutation": await http.post("/graphql", json={"query": CREATE_FEED}, headers=bearer),
        "receipt": await http.get(seeded.receipt),
        "calendar": await http.get(seeded.feed),
        "webhook": await http.post("/webhooks/stripe", content=payload, headers=headers),
        "health": await http.get("/health"),
        "ready": await http.get("/health/ready"),
    }


def _secrets(seeded: Seeded) -> list[str]:
    receipt_query = seeded.receipt.split("?", 1)[1]
    return [seeded.client, seeded.professional, receipt_query, seeded.feed, PASSWORD,
            FakeStripe.WEBHOOK_SECRET, FakeStripe.API_KEY]


async def _recovered(http: httpx.AsyncClient, seeded: Seeded) -> dict[str, httpx.Response]:
    for _ in range(WAIT_ROUNDS):
        answers = await _every_route(http, seeded)
        if all(answer.status_code != 503 for answer in answers.values()):
            return answers
        await asyncio.sleep(0.05)
    raise AssertionError(f"still unavailable: {_statuses(answers)}")


def _statuses(answers: dict[str, httpx.Response]) -> dict[str, int]:
    return {route: answer.status_code for route, answer in answers.items()}


async def _migrate(url: str) -> None:
    """In its own process: migrating in this one would rebind the suite's models to the
    private cluster's dialect (Tortoise keeps that on the model classes)."""
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "app.py", "migrate", cwd=ROOT,
        env={**os.environ, **TEST_ENV, "DATABASE_URL": url})
    assert await migrate.wait() == 0


@contextlib.asynccontextmanager
async def _app_on(cluster: Cluster, log: Path) -> AsyncIterator[str]:
    await _migrate(cluster.url)
    async with served(cluster.url, log, STRIPE_SECRET_KEY=FakeStripe.API_KEY,
                      STRIPE_WEBHOOK_SECRET=FakeStripe.WEBHOOK_SECRET,
                      STRIPE_API_BASE="http://127.0.0.1:9") as app:
        yield app.url


async def test_every_route_answers_a_temporary_json_error_while_the_database_is_down_and_recovers(
        cluster: Cluster, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    async with _app_on(cluster, log) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        seeded = await _seed(http, cluster.url)
        cluster.stop()
        down = await _every_route(http, seeded)
        cluster.start()
        back = await _recovered(http, seeded)

    assert _statuses(down) == dict.fromkeys(down, 503)
    for route, answer in down.items():
        assert answer.headers["content-type"].startswith("application/json"), route
        if route not in ("health", "ready"):
            assert int(answer.headers["retry-after"]) > 0, route
    for route in ("query", "sign-in", "mutation"):
        error = down[route].json()["errors"][0]
        assert error["extensions"]["code"] == "UNAVAILABLE", (route, error)
        assert "temporarily unavailable" in error["message"], route
        assert "Try again" in error["message"], route
    for route in ("receipt", "calendar", "webhook"):
        error = _only_error(down[route].json())
        assert error["extensions"]["code"] == "UNAVAILABLE", route
        assert "temporarily unavailable" in error["message"], route
    assert down["health"].json()["status"] == "unavailable"
    assert down["ready"].json()["status"] == "unavailable"

    outage_text = log.read_text(errors="replace") + "".join(a.text for a in down.values())
    for secret in _secrets(seeded):
        assert secret not in outage_text
    assert "Traceback" not in log.read_text(errors="replace")

    assert back["query"].json() == {"data": {"viewer": {"email": "anna@example.com"}}}
    assert back["sign-in"].json()["data"]["login"]["token"]
    assert back["mutation"].json()["data"]["createCalendarFeed"]["userErrors"] == []
    assert back["receipt"].status_code == 200
    assert back["receipt"].headers["content-type"] == "application/pdf"
    assert back["calendar"].status_code == 200
    assert back["calendar"].text.startswith("BEGIN:VCALENDAR")
    assert back["webhook"].status_code == 200
    assert back["health"].json() == {"status": "ok"}
    assert back["ready"].json()["status"] == "ok"


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    return error
