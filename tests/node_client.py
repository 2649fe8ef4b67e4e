"""The npm graphql-ws client (clients/package.json) run under Node, for subscription tests:
our Python websocket client forgives things browsers' and Node's clients do not (binary
frames, PITFALLS.md)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.ws_client import RECEIVE_LIMIT_SECONDS

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
SIGNALS_SCRIPT = CLIENTS / "node-tests" / "signals.mjs"


def require_node_clients() -> str:
    """Node and clients/node_modules (installed with `npm ci` when missing). Under CI=true a
    missing piece fails the test; elsewhere it is skipped with what was missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm and not (CLIENTS / "node_modules" / "graphql-ws").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENTS, check=False,
                       capture_output=True, timeout=300)
    missing = ("Node.js (node, npm)" if not (node and npm)
               else "the npm packages of clients/ (npm ci failed)"
               if not (CLIENTS / "node_modules" / "graphql-ws").is_dir() else None)
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} is missing; CI must install it (.ci/run).")
        pytest.skip(f"skipped the npm graphql-ws client test: {missing} is missing")
    return node


class NodeSubscription:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def line(self) -> dict[str, Any]:
        """The next thing the client printed; its end of output fails the test."""
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(),
                                     timeout=RECEIVE_LIMIT_SECONDS)
        assert raw, "the graphql-ws client stopped without a result"
        return json.loads(raw)

    async def event(self) -> dict[str, Any]:
        line = await self.line()
        assert "next" in line, line
        assert "errors" not in line["next"], line
        return line["next"]["data"]["signals"]


@contextlib.asynccontextmanager
async def node_signals(url: str, token: str, session_id: str
                       ) -> AsyncIterator[NodeSubscription]:
    node = require_node_clients()
    process = await asyncio.create_subprocess_exec(
        node, str(SIGNALS_SCRIPT), url, token, session_id, cwd=CLIENTS,
        stdout=asyncio.subprocess.PIPE)
    try:
        yield NodeSubscription(process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
