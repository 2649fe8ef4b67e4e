"""The database itself refuses overlapping live sessions: the last line of defence against double
booking when two app processes race (the booking use cases check first, for clear messages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from models.accounts import Account
from models.practice import (
    Engagement,
    EngagementSource,
    EngagementStatus,
    ProfessionalProfile,
    Service,
    ServiceKind,
)
from models.scheduling import Session, SessionStatus
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the exclusion constraints are PostgreSQL's; SQLite relies on its "
    "single writer and the conditional insert, tested with the booking mutations")

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _engagement(client_email: str, professional: Account) -> Engagement:
    client = await Account.create(email=client_email, password_hash="x", name="Client",
                                  time_zone="UTC")
    profile = await ProfessionalProfile.get(account=professional)
    service = await Service.filter(professional=profile).first()
    assert service is not None
    return await Engagement.create(client=client, service=service,
                                   status=EngagementStatus.ACTIVE,
                                   source=EngagementSource.INVITATION)


async def _book(engagement: Engagement, start: datetime, minutes: int = 50,
                status: SessionStatus = SessionStatus.SCHEDULED) -> Session:
    await engagement.fetch_related("service__professional")
    return await Session.create(
        engagement=engagement, professional_id=engagement.service.professional.account_id,
        client_id=engagement.client_id, starts_at=start,
        ends_at=start + timedelta(minutes=minutes), status=status, length_minutes=minutes,
        price_amount=15000, currency="ISK", booked_by_id=engagement.client_id,
    )


@pytest.fixture
async def professional(database) -> Account:
    account = await Account.create(email="sigrun@example.com", password_hash="x",
                                   name="Sigrún", time_zone="Atlantic/Reykjavik",
                                   is_professional=True)
    profile = await ProfessionalProfile.create(account=account, display_name="Sigrún")
    await Service.create(professional=profile, slug="talk", title="Talk",
                         kind=ServiceKind.PSYCHOLOGY, session_minutes=50, price_amount=15000,
                         currency="ISK")
    return account


async def test_overlapping_live_sessions_of_one_professional_are_refused(professional):
    anna = await _engagement("anna@example.com", professional)
    bjorn = await _engagement("bjorn@example.com", professional)
    await _book(anna, START)
    with pytest.raises(IntegrityError):
        await _book(bjorn, START + timedelta(minutes=30))
    await _book(bjorn, START + timedelta(minutes=50))  # back to back is fine
    await _book(bjorn, START, status=SessionStatus.CANCELLED)  # cancelled frees the time
    assert await Session.filter(professional=professional).count() == 3


async def test_one_client_cannot_be_in_two_sessions_at_once(professional):
    other = await Account.create(email="helga@example.com", password_hash="x", name="Helga",
                                 time_zone="UTC", is_professional=True)
    profile = await ProfessionalProfile.create(account=other, display_name="Helga")
    service = await Service.create(professional=profile, slug="move", title="Move",
                                   kind=ServiceKind.PHYSIOTHERAPY, session_minutes=45,
                                   price_amount=9000, currency="ISK")
    anna = await _engagement("anna@example.com", professional)
    with_helga = await Engagement.create(client_id=anna.client_id, service=service,
                                         status=EngagementStatus.ACTIVE,
                                         source=EngagementSource.REQUEST)
    await _book(anna, START)
    with pytest.raises(IntegrityError):
        await _book(with_helga, START + timedelta(minutes=10), minutes=45)
