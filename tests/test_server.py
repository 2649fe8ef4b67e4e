"""The real server, booted as `python app.py serve`: its lifespan opens the database and runs the
mail sender, which in-process tests (no lifespan) cannot show (PITFALLS.md)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_ENV
from tests.helpers import REGISTER
from tests.mailbox import SmtpServer, free_port

ROOT = Path(__file__).resolve().parent.parent
STARTUP_LIMIT_SECONDS = 60
DELIVERY_LIMIT_SECONDS = 30


@pytest.fixture
async def server(database_url: str, smtp_server: SmtpServer) -> AsyncIterator[str]:
    port = free_port()
    env = {
        **os.environ, **TEST_ENV, "DATABASE_URL": database_url, "PORT": str(port),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "SMTP_SECURITY": "none",
        "MAIL_POLL_SECONDS": "0.2",
    }
    process = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "app.py", "serve", "--no-seed"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url) as http:
            for _ in range(STARTUP_LIMIT_SECONDS * 10):
                if process.poll() is not None:
                    pytest.fail("the server exited during start-up")
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail("the server did not answer /health")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_served_app_answers_and_its_background_sender_delivers_mail(server, mailbox):
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.post("/graphql", json={"query": REGISTER, "variables": {"input": {
            "email": "anna@example.com", "password": "correct horse battery", "name": "Anna",
            "timeZone": "Atlantic/Reykjavik",
        }}})
    assert response.json()["data"]["register"]["userErrors"] == []

    for _ in range(DELIVERY_LIMIT_SECONDS * 10):
        if mailbox.to("anna@example.com"):
            break
        await asyncio.sleep(0.1)
    assert [m["Subject"] for m in mailbox.to("anna@example.com")] == [
        "Confirm your email address"
    ]
