"""The command line: `python app.py <command>`, or `therapy-hub <command>` once installed.

    serve             apply migrations, load demo data if empty, serve
    migrate           apply pending migrations
    seed              load the demo data and print the demo sign-ins
    export-schema     write schema.graphql (--output PATH elsewhere)
    verify-audit      check the audit log's seals and sequence (exit 1 on a break)
    rebuild-progress  recompute the progress totals from the sessions
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import uvicorn
from tortoise.context import TortoiseContext

import db
import settings as settings_module
from app import ENTRY, SCHEMA_FILE, UVICORN_OPTIONS, export_schema
from middleware import request_log
from resolvers.core import audit
from resolvers.practice import progress
from settings import Settings


async def verify_audit(settings: Settings) -> int:
    """Walk the audit chain and say whether it is intact; the head seal printed is what an
    operator keeps elsewhere to detect later removal of the newest entries."""
    async with TortoiseContext() as context:
        await context.init(config=db.tortoise_config(settings.database_url))
        result = await audit.verify(settings)
    print(f"Audit log: {result.sealed} sealed entries, {result.unsealed} from before the chain; "
          f"head seal {result.head_seal or '(none)'}")
    if result.intact:
        print("The chain is intact.")
        return 0
    print(f"BROKEN at sequence {result.broken_at}: {result.reason}.")
    return 1


async def rebuild_progress(settings: Settings) -> int:
    """Recompute the progress totals from the sessions (the database keeps them otherwise)."""
    async with TortoiseContext() as context:
        await context.init(config=db.tortoise_config(settings.database_url))
        engagements = await progress.rebuild_rollups()
    print(f"Rebuilt the progress of {engagements} engagements with sessions.")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["serve", "migrate", "seed", "export-schema",
                                                 "verify-audit", "rebuild-progress"])
    parser.add_argument("--no-seed", action="store_true", help="serve without demo data")
    parser.add_argument("--output", type=Path, default=SCHEMA_FILE,
                        help="where export-schema writes (default: schema.graphql of the "
                             "checkout)")
    args = parser.parse_args(argv)
    settings = settings_module.from_env()
    request_log.configure_logging(settings.log_format)

    if args.command == "export-schema":
        args.output.write_text(export_schema(settings))
        print(f"Wrote {args.output}")
        return 0
    asyncio.run(db.migrate(settings.database_url))
    if args.command == "verify-audit":
        return asyncio.run(verify_audit(settings))
    if args.command == "rebuild-progress":
        return asyncio.run(rebuild_progress(settings))
    if args.command == "seed" or (args.command == "serve" and not args.no_seed):
        import seed

        asyncio.run(seed.run(settings, only_if_empty=args.command == "serve"))
    if args.command == "serve":
        uvicorn.run(ENTRY, host=settings.host, port=settings.port, **UVICORN_OPTIONS)
    return 0


def cli() -> None:
    """The `therapy-hub` command that `pip install .` puts on the PATH."""
    sys.exit(main(sys.argv[1:]))


