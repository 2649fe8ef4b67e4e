"""Shared by the benchmark scripts: boot a real server in a subprocess, and summarise timings."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(database_url: str | None = None, **env: str) -> Iterator[str]:
    """`python app.py serve` on a free port with production-strength password hashing."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite://{folder}/bench.sqlite3"
        process = subprocess.Popen(
            [sys.executable, "app.py", "serve", "--no-seed"], cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "PORT": str(port), **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit("the server did not start")
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def summary(label: str, durations: list[float], wall: float) -> str:
    ordered = sorted(durations)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))]
    return (f"{label}: {len(durations) / wall:,.1f} req/s, "
            f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
            f"(n={len(durations)})")
