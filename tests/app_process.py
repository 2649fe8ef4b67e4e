"""The app as its own process (`python app.py serve`), as a browser reaches it in production:
lifespan, pub/sub and websockets all real."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.conftest import TEST_ENV
from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parent.parent
HEALTHY_LIMIT_SECONDS = 60


@contextlib.asynccontextmanager
async def served_app(database_url: str, log: Path, **env: str) -> AsyncIterator[str]:
    """Serve on a free loopback port with extra settings `env`; yields the base URL. The log
    goes to `log`, for the assertion message when something fails."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "app.py", "serve", "--no-seed", cwd=ROOT,
        env={**os.environ, **TEST_ENV, "DATABASE_URL": database_url, "PORT": str(port), **env},
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_healthy(process, base, log)
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)


async def _wait_until_healthy(process: asyncio.subprocess.Process, base: str,
                              log: Path) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(HEALTHY_LIMIT_SECONDS * 10):
            if process.returncode is not None:
                raise AssertionError(f"the app exited:\n{_read(log)}")
            try:
                if (await client.get(f"{base}/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the app did not become healthy:\n{_read(log)}")


def _read(log: Path) -> str:
    return log.read_text(errors="replace")
