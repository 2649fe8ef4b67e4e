"""Database wiring: the Tortoise configuration and the migrations runner.

The same `migrate` builds production databases, the serve command's SQLite file and every test
database, so constraints that only migrations create (see PITFALLS.md) exist everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as _run_migrations

from models import APPS


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://") and database_url != "sqlite://:memory:":
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": database_url},
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


async def migrate(database_url: str) -> None:
    """Apply every pending migration; an existing database is upgraded, never recreated."""
    config = tortoise_config(database_url)
    async with TortoiseContext() as context:
        await context.init(config=config)
        await _run_migrations(config=config)


def _cli_config() -> dict[str, Any]:
    import settings

    return tortoise_config(settings.from_env().database_url)


TORTOISE_ORM = _cli_config()
"""For the `tortoise` CLI: `tortoise -c db.TORTOISE_ORM makemigrations`."""
