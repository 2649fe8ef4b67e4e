"""The loop every background job runs: a round, then a pause, until the app stops.

A round that fails is logged and tried again after the pause, so a database blip never ends
the job; a full batch is followed by the next round at once, so a backlog drains without
waiting out the pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable


async def poll(one_round: Callable[[], Awaitable[int]], *, stop: asyncio.Event, every: float,
               batch: int, log: logging.Logger, what: str) -> None:
    """Run `one_round` (it returns how many items it took) until `stop` is set."""
    while not stop.is_set():
        try:
            taken = await one_round()
        except Exception:
            log.exception("%s round failed; trying again shortly", what)
            taken = 0
        if taken >= batch:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
