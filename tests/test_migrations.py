"""The migrations are the schema: they match the models, build a database from nothing, and
stand on their own (nothing in them changes when a model module is renamed)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import db

ROOT = Path(__file__).resolve().parent.parent


def test_the_models_and_the_migrations_describe_the_same_schema():
    """What `tortoise makemigrations` would write: nothing. A model change without its
    migration would leave production on the old schema while every test passes. Run in its own
    interpreter: the autodetector's Tortoise context must not replace the suite's."""
    result = subprocess.run([sys.executable, "-c", _DRIFT_PROBE], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "", (
        "models/ and migrations/ differ; run `tortoise -c db.TORTOISE_ORM makemigrations` "
        f"and review what it writes:\n{result.stdout}"
    )


_DRIFT_PROBE = """
import asyncio
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
import db

async def main():
    config = db.tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as context:
        await context.init(config=config)
        for writer in await MigrationAutodetector(context.apps, config["apps"]).changes():
            print(writer.app_label, writer.as_string())

asyncio.run(main())
"""


def test_no_migration_imports_our_models():
    """A migration runs for every fresh database forever: if it imported a live enum, renaming
    that enum (or moving its module) would break `migrate` on an empty database."""
    ours = {"models", "resolvers", "schema", "app", "db", "settings"}
    offenders = []
    for path in sorted((ROOT / "migrations").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names
                          if name.split(".")[0] in ours]
    assert offenders == []


def test_importing_the_app_writes_nothing_into_the_checkout():
    """Only the `tortoise` CLI reads the environment's settings through `db`; importing the app
    and the database wiring (as every test run does) must not create `var/secret.key`."""
    probe = (
        "import sys\n"
        "written = []\n"
        "def audit(event, args):\n"
        "    if event == 'open' and args[1] not in (None, 'r', 'rb'):\n"
        "        written.append(str(args[0]))\n"
        "    elif event in ('os.mkdir', 'os.chmod'):\n"
        "        written.append(str(args[0]))\n"
        "sys.addaudithook(audit)\n"
        "import db, app, settings, seed\n"
        "print('\\n'.join(p for p in written if p.startswith(str(settings.VAR))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_tortoise_cli_still_finds_its_config():
    """`tortoise -c db.TORTOISE_ORM ...` (docs/ARCHITECTURE.md) reads the attribute on demand."""
    probe = "import db; print(' '.join(sorted(db.TORTOISE_ORM['apps'])))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True,
                            env={"PATH": "", "ENVIRONMENT": "test",
                                 "DATABASE_URL": "sqlite://:memory:"})
    assert result.stdout.split() == sorted(db.tortoise_config("sqlite://:memory:")["apps"])
