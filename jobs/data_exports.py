"""The export builder: builds the data exports people asked for (exportMyData), in the
background, so a large export never holds up a request (resolvers/privacy/exports_building.py)."""

from __future__ import annotations

import asyncio
import logging

from jobs.loop import poll
from resolvers.privacy.exports_building import BATCH_SIZE, build_pending
from settings import Settings

log = logging.getLogger("therapyhub.exports")


async def run_builder(settings: Settings, stop: asyncio.Event) -> None:
    """Build waiting exports until `stop` is set; the app's lifespan runs this as a task."""

    async def one_round() -> int:
        return await build_pending(settings)

    await poll(one_round, stop=stop, every=settings.data_export_poll_seconds,
               batch=BATCH_SIZE, log=log, what="data export")
