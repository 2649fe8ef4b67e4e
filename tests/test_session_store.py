"""The last line of defence against double booking, below the use cases' own checks: what
happens when a check was passed but another booking got in first (a race)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.practice import Engagement
from models.scheduling import Session
from resolvers.scheduling.booking import snapshot
from resolvers.scheduling.session_store import SlotTaken, insert_session
from tests.scheduling_steps import practice

START = (datetime.now(UTC) + timedelta(days=10)).replace(hour=10, minute=0, second=0,
                                                         microsecond=0)


async def _row(settings, start):
    engagement = await Engagement.get().select_related("service__professional", "client")
    booked_by = await Account.get(id=engagement.client_id)
    return snapshot(settings, engagement, booked_by, start)


async def test_an_overlapping_insert_is_refused_and_the_series_goes_on(api, settings):
    """Each occurrence of a series has its own savepoint: a refused one is rolled back alone
    and the transaction continues (on PostgreSQL the failed statement would otherwise abort
    the whole transaction)."""
    await practice(api)
    async with in_transaction():
        await insert_session(**await _row(settings, START))
    async with in_transaction():
        with pytest.raises(SlotTaken):
            async with in_transaction():
                await insert_session(**await _row(settings, START + timedelta(minutes=30)))
        await insert_session(**await _row(settings, START + timedelta(hours=1)))
    starts = [s.starts_at for s in await Session.all().order_by("starts_at")]
    assert starts == [START, START + timedelta(hours=1)]


async def test_back_to_back_sessions_are_fine(api, settings):
    await practice(api)
    for offset in (0, 60, 120):
        async with in_transaction():
            await insert_session(**await _row(settings, START + timedelta(minutes=offset)))
    assert await Session.all().count() == 3
