"""The real server (`python app.py serve`, uvicorn) as a subprocess, for tests that need what
only a real server does: its access log, its memory, its database connections."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import TEST_ENV
from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Served:
    url: str
    pid: int
    log: Path

    def peak_memory_kib(self) -> int:
        """The server's peak resident set (VmHWM): what a request made it grow to, even if
        the memory was given back afterwards."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")


def _text(log: Path) -> str:
    return log.read_text(errors="replace")


@contextlib.asynccontextmanager
async def served(database_url: str, log: Path, **env: str) -> AsyncIterator[Served]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "app.py", "serve", "--no-seed", cwd=ROOT,
        env={**os.environ, **TEST_ENV, "DATABASE_URL": database_url, "PORT": str(port), **env},
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                if process.returncode is not None:
                    raise AssertionError(_text(log))
                try:
                    if (await client.get(f"{url}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"server did not become healthy:\n{_text(log)}")
        yield Served(url=url, pid=process.pid, log=log)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)
