"""The real server, booted with uvicorn as `python app.py serve` does, queried over HTTP.

In-process tests skip the Starlette lifespan, where Tortoise is opened and the mail sender runs;
this one does not (Tortoise 1.x contexts would otherwise fail only in production, PITFALLS.md).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

import settings as settings_module
from tests.conftest import TEST_ENV
from tests.helpers import CURRENT_TERMS, PASSWORD, REGISTER, register
from tests.mailbox import Mailbox, SmtpServer, free_port
from tests.payment_steps import book, download, engaged_practice, pdf_text, record_manual

ROOT = Path(__file__).resolve().parent.parent
DELIVERY_LIMIT_SECONDS = 30


@pytest.fixture
async def server(database_url: str, database: None, smtp_server: SmtpServer,
                 tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ, **TEST_ENV, "DATABASE_URL": database_url, "PORT": str(port),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "SMTP_SECURITY": "none",
        "MAIL_POLL_SECONDS": "0.2",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "app.py", "serve", "--no-seed", cwd=ROOT, env=env,
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                if process.returncode is not None:
                    raise AssertionError(log.read_text())
                try:
                    if (await client.get(f"{base}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("server did not become healthy")
        yield base
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)


async def test_served_app_registers_and_answers_viewer_over_http(server):
    async with httpx.AsyncClient(base_url=server) as client:
        token = await register(_HttpApi(client), "anna@example.com",
                               time_zone="Europe/London")
        viewer = await client.post(
            "/graphql", json={"query": "{ viewer { email timeZone } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert viewer.status_code == 200
    assert viewer.json() == {"data": {"viewer": {"email": "anna@example.com",
                                                 "timeZone": "Europe/London"}}}


async def test_health_reports_the_database(server):
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{server}/health")
    assert response.json() == {"status": "ok"}


async def test_served_app_background_sender_delivers_mail(server, mailbox: Mailbox):
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.post("/graphql", json={"query": REGISTER, "variables": {"input": {
            "email": "bjorn@example.com", "password": PASSWORD, "name": "Björn",
            "timeZone": "Atlantic/Reykjavik", **CURRENT_TERMS,
        }}})
    assert response.json()["data"]["register"]["userErrors"] == []

    for _ in range(DELIVERY_LIMIT_SECONDS * 10):
        if mailbox.to("bjorn@example.com"):
            break
        await asyncio.sleep(0.1)
    assert [m["Subject"] for m in mailbox.to("bjorn@example.com")] == [
        "Confirm your email address"
    ]


class _HttpApi:
    """The steps' `api` interface over real HTTP to the served app."""

    def __init__(self, http: httpx.AsyncClient, database_url: str | None = None) -> None:
        self.http = http
        self.settings = settings_module.from_env(TEST_ENV)
        """The served app's settings, as far as reading its outbox needs (its server key)."""
        self.database_url = database_url
        """The served app's database when it is not the suite's (tests/helpers.emailed_token)."""

    async def data(self, query: str, variables: dict | None = None, *,
                   token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = (await self.http.post("/graphql", json={"query": query,
                                                       "variables": variables or {}},
                                     headers=headers)).json()
        assert "errors" not in body, body["errors"]
        return body["data"]


async def test_served_app_opens_a_receipt_link_and_refuses_webhooks_without_stripe(server):
    async with httpx.AsyncClient(base_url=server) as http:
        api = _HttpApi(http)
        practice = await engaged_practice(api)
        payment = (await record_manual(api, practice.professional,
                                       await book(practice)))["payment"]
        receipt = await download(api, payment["receiptUrl"])
        webhook = await http.post("/webhooks/stripe", content=b"{}")

    assert receipt.status_code == 200
    assert "Þórunn Ólafsdóttir" in pdf_text(receipt.content)
    assert webhook.status_code == 404
