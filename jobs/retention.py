"""The retention job: every `retention_poll_seconds`, remove what is past its period
(resolvers/privacy/retention.py, docs/privacy.md)."""

from __future__ import annotations

import asyncio
import logging

from jobs.loop import poll
from resolvers.privacy import retention
from settings import Settings

log = logging.getLogger("therapyhub.retention")


async def run_retention(settings: Settings, stop: asyncio.Event) -> None:
    """Sweep until `stop` is set; the app's lifespan runs this as a task."""

    async def one_round() -> int:
        removed = await retention.remove_expired(settings)
        if any(removed.values()):
            log.info("retention removed %s", {k: v for k, v in removed.items() if v})
        return 0

    await poll(one_round, stop=stop, every=settings.retention_poll_seconds, batch=1, log=log,
               what="retention")
