"""Set up and run the therapy hub on a machine that has nothing but Python 3.11+.

    python3 dev.py serve     # install, migrate, load demo data, serve on 127.0.0.1:8000
    python3 dev.py test      # install, lint, check the import contracts and the types, run
                             # every test on SQLite and on PostgreSQL

Both commands create `.venv/` and install every dependency, transitive ones included, from the
hash-pinned requirements.lock the first time (and again whenever the lock changes), so a fresh
clone needs no other step. The app itself runs from the checkout (`app.py`), so it is not
installed into .venv; `pip install .` is for deployments (docs/deploy.md). This file uses the
standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
LOCK = ROOT / "requirements.lock"
"""Written by `uv pip compile` from pyproject.toml (README, "Dependencies and the lock")."""


def ensure_environment() -> None:
    """Create the virtual environment and install the locked packages when the lock changed.
    `--require-hashes` refuses any file whose hash the lock does not list, so a tampered or
    re-uploaded package stops the install instead of running."""
    stamp = VENV / f".installed-{hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]}"
    if stamp.exists():
        return
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("Installing the locked dependencies (first run takes a minute) ...", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--require-hashes", "--only-binary", ":all:", "-r", str(LOCK)],
        check=True,
    )
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def _run(*args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run([str(PYTHON), *args], cwd=ROOT, env=env, check=False).returncode


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


def _start_local_postgres() -> None:
    """Start the machine's PostgreSQL cluster if it has one (Debian's pg_ctlcluster)."""
    if not shutil.which("pg_lsclusters") or not shutil.which("pg_ctlcluster"):
        return
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    first = listing.stdout.split()
    if len(first) >= 2:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", first[0], first[1], "start"],
            check=False,
        )


def test(extra: list[str]) -> int:
    ensure_environment()
    if _run("-m", "ruff", "check", "--quiet", ".") != 0:
        print("ruff found problems (above); fix them or run `.venv/bin/ruff check --fix .`")
        return 1
    if subprocess.run([str(VENV / "bin" / "lint-imports"), "--no-logo"], cwd=ROOT,
                      check=False).returncode != 0:
        print("An import breaks a contract of the architecture (named above; the contracts are in "
              "pyproject.toml, the map in docs/ARCHITECTURE.md): move the code, not the contract.")
        return 1
    if subprocess.run([str(VENV / "bin" / "mypy")], cwd=ROOT, check=False).returncode != 0:
        print("mypy found type errors (above; config in pyproject.toml [tool.mypy]): fix the "
              "code or its annotations; a `# type: ignore[code]` needs a reason beside it.")
        return 1
    print("\n=== Test suite on SQLite ===", flush=True)
    sqlite_status = _run("-m", "pytest", *extra, env={**os.environ, "TEST_DATABASE": "sqlite"})

    if not _postgres_reachable():
        _start_local_postgres()
    if not _postgres_reachable():
        if os.environ.get("CI") == "true":
            print("PostgreSQL is not reachable at 127.0.0.1:5432; under CI that is a failure.")
            return 1
        print("\nPostgreSQL is not reachable at 127.0.0.1:5432: the PostgreSQL run was SKIPPED.")
        return sqlite_status

    admin_url = os.environ.get("TEST_POSTGRES_ADMIN_URL", POSTGRES_ADMIN_URL)
    print("\n=== Test suite on PostgreSQL ===", flush=True)
    postgres_status = _run(
        "-m", "pytest", *extra, env={**os.environ, "TEST_DATABASE": admin_url}
    )
    return sqlite_status or postgres_status


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "test":
        return test(rest)
    if command in {"serve", "seed", "migrate", "export-schema"}:
        ensure_environment()
        return _run("app.py", command, *rest)
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
