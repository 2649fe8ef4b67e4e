"""Real uvicorn processes, started with README's production command (`--workers` and all), and
which of them holds a given connection (read from /proc, as `ss -p` would)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import TEST_ENV
from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START_LIMIT_SECONDS = 120
"""Generous bounds (a loaded 2-core machine starts two workers slowly) so a server that never
comes up, or never goes away, fails the test instead of hanging it."""
STOP_LIMIT_SECONDS = 60


def production_command() -> list[str]:
    """README's uvicorn line, as the operator would type it."""
    lines = [line.strip() for line in README.read_text().splitlines()
             if line.strip().startswith(".venv/bin/uvicorn ")]
    assert len(lines) == 1, f"README should show one uvicorn production command: {lines}"
    return shlex.split(lines[0])


@dataclass
class Uvicorn:
    process: asyncio.subprocess.Process
    base: str
    port: int
    log: Path

    async def healthy(self) -> None:
        """Wait until some worker answers /health, or fail with the server's log."""
        async with httpx.AsyncClient() as client:
            for _ in range(START_LIMIT_SECONDS * 10):
                if self.process.returncode is not None:
                    raise AssertionError(self.log.read_text())
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.base}/health")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise AssertionError(f"uvicorn did not become healthy:\n{self.log.read_text()}")

    async def exited(self) -> int:
        """The exit status of a process that is expected to stop by itself."""
        return await asyncio.wait_for(self.process.wait(), START_LIMIT_SECONDS)

    def worker_pids(self) -> set[int]:
        return {pid for pid in _pids() if _parent_of(pid) == self.process.pid}


@contextlib.asynccontextmanager
async def uvicorn_process(database_url: str, log: Path, *, workers: int,
                          env: dict[str, str] | None = None) -> AsyncIterator[Uvicorn]:
    """README's production command on a free loopback port with `workers` workers and extra
    settings `env`."""
    command = production_command()
    assert command[0] == ".venv/bin/uvicorn"
    port = free_port()
    env = {**os.environ, **TEST_ENV, "DATABASE_URL": database_url, **(env or {})}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", *command[1:],
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield Uvicorn(process, f"http://127.0.0.1:{port}", port, log)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_LIMIT_SECONDS)
            except TimeoutError:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
                await process.wait()


def connection_owner(server_port: int, client_port: int, candidates: set[int]) -> int:
    """Which of `candidates` holds the server end of the loopback TCP connection from
    `client_port` to `server_port`."""
    inodes = {
        fields[9]
        for table in ("/proc/net/tcp", "/proc/net/tcp6")
        for fields in (line.split() for line in Path(table).read_text().splitlines()[1:])
        if _port(fields[1]) == server_port and _port(fields[2]) == client_port
    }
    assert len(inodes) == 1, f"no single server socket for client port {client_port}: {inodes}"
    target = f"socket:[{inodes.pop()}]"
    owners = {pid for pid in candidates if target in _sockets_of(pid)}
    assert len(owners) == 1, f"{target} is held by {owners} of {candidates}"
    return owners.pop()


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _sockets_of(pid: int) -> set[str]:
    links = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                links.add(os.readlink(fd))
    return links
