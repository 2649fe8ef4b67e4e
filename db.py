"""Database wiring: the Tortoise configuration and the migrations runner.

The same `migrate` builds production databases, the serve command's SQLite file and every test
database, so constraints that only migrations create (see PITFALLS.md) exist everywhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as _run_migrations

from models import APPS


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://") and database_url != "sqlite://:memory:":
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    connection: str | dict[str, Any] = database_url
    if database_url.startswith(("postgres://", "asyncpg://")):
        connection = expand_db_url(database_url)
        connection["credentials"]["reset"] = _end_transaction_only
    return {
        "connections": {"default": connection},
        "apps": {
            label: {
                "models": modules,
                "default_connection": "default",
                "migrations": f"migrations.{label}",
            }
            for label, modules in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _end_transaction_only(connection: Any) -> None:
    """What a pooled PostgreSQL connection needs before its next use, instead of asyncpg's
    default reset (`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`), a round trip
    after every statement: a transaction left open is rolled back. Nothing else outlives a
    statement here: advisory locks are transaction-scoped (`pg_advisory_xact_lock`), settings
    are `SET LOCAL`, cursors live in transactions, and LISTEN has its own connection
    (gateways/events.py). A session-level lock, SET or LISTEN on the pool would need the
    default back."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def migrate(database_url: str) -> None:
    """Apply every pending migration; an existing database is upgraded, never recreated."""
    config = tortoise_config(database_url)
    async with TortoiseContext() as context:
        await context.init(config=config)
        await _run_migrations(config=config)


def known_migrations() -> set[tuple[str, str]]:
    """(app, name) of every migration this code ships, as Tortoise records them once applied."""
    known = set()
    for label in APPS:
        package = importlib.import_module(f"migrations.{label}")
        known |= {(label, name) for _, name, is_package in pkgutil.iter_modules(package.__path__)
                  if not is_package and name[0] not in "_~"}
    return known


async def pending_migrations() -> set[tuple[str, str]]:
    """The shipped migrations the database has not applied (readiness: this code needs its
    tables). Raises when the database does not answer."""
    _, rows = await get_connection("default").execute_query(
        "SELECT app, name FROM tortoise_migrations")
    return known_migrations() - {(row["app"], row["name"]) for row in rows}


def __getattr__(name: str) -> Any:
    """`db.TORTOISE_ORM`, for the `tortoise` CLI (`tortoise -c db.TORTOISE_ORM makemigrations`).

    Built from the environment when the CLI asks for it, not at import: reading the settings
    outside production creates `var/secret.key`, and importing `db` (as every test does) must
    leave the checkout untouched.
    """
    if name == "TORTOISE_ORM":
        import settings

        return tortoise_config(settings.from_env().database_url)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
