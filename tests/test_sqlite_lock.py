"""SQLite serves one process: its events cannot cross processes, so a second process on the same
SQLite file refuses to start, says why, and the first keeps serving. Runs on both test
databases: each test migrates its own SQLite file."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx

from tests.conftest import TEST_ENV
from tests.uvicorn_processes import ROOT, START_LIMIT_SECONDS, uvicorn_process

REFUSAL = "Another app process already serves the SQLite database"


async def migrated_sqlite(tmp_path: Path) -> str:
    url = f"sqlite://{tmp_path / 'hub.sqlite3'}"
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "app.py", "migrate", cwd=ROOT,
        env={**os.environ, **TEST_ENV, "DATABASE_URL": url})
    assert await asyncio.wait_for(migrate.wait(), START_LIMIT_SECONDS) == 0
    return url


async def test_a_second_process_on_the_same_sqlite_file_refuses_and_the_first_keeps_serving(
        tmp_path):
    url = await migrated_sqlite(tmp_path)
    async with uvicorn_process(url, tmp_path / "first.log", workers=1) as first:
        await first.healthy()
        async with uvicorn_process(url, tmp_path / "second.log", workers=1) as second:
            status = await second.exited()
        async with httpx.AsyncClient(base_url=first.base) as http:
            health = await http.get("/health")
            answer = await http.post("/graphql", json={"query": "{ viewer { email } }"})
    refusal = second.log.read_text()
    assert status != 0
    assert REFUSAL in refusal
    assert "set DATABASE_URL to PostgreSQL to run several" in refusal
    assert health.json() == {"status": "ok"}
    assert answer.json() == {"data": {"viewer": None}}


async def test_two_workers_on_one_sqlite_file_refuse_to_start_and_say_why(tmp_path):
    url = await migrated_sqlite(tmp_path)
    async with uvicorn_process(url, tmp_path / "workers.log", workers=2) as served:
        await served.exited()
    log = served.log.read_text()
    assert REFUSAL in log
    assert "failed to start, stopping the parent process" in log
