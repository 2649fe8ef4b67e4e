"""The npm clients in `clients/` (graphql-ws, ...) for tests that drive the app as frontends do.

`node_clients()` installs the pinned packages with `npm ci` when they are missing. Without Node
or npm the calling test is skipped, with a message naming what was skipped; under CI=true it
fails instead, so CI never passes without running it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CLIENTS = Path(__file__).resolve().parent.parent / "clients"


def node_clients(what: str) -> Path:
    """The `clients/` folder with its npm packages installed; `what` names the skipped test."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = f"Node.js and npm are not installed: {what} was SKIPPED."
        if os.environ.get("CI") == "true":
            pytest.fail(f"Node.js and npm are required under CI: {what} cannot run.")
        pytest.skip(message)
    if not (CLIENTS / "node_modules" / ".package-lock.json").exists():
        installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENTS,
                                   capture_output=True, text=True, check=False)
        if installed.returncode != 0:
            pytest.fail(f"`npm ci` in clients/ failed:\n{installed.stderr}")
    return CLIENTS
