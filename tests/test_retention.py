"""The retention job removes rows past their period and keeps those within it."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from models.account_links import AccountLink, LinkPurpose
from models.accounts import Account, ExternalRegistration, ExternalSignInAttempt, LoginSession
from models.outbox import OutboxMessage, OutboxStatus
from models.payments import Payment
from models.practice import Engagement, EngagementSource, EngagementStatus, Invitation, Service
from models.privacy import DataExport, DataExportStatus
from models.rate_limits import RateLimitEvent
from resolvers.privacy import retention
from tests.helpers import register
from tests.payment_steps import book, engaged_practice, record_manual
from tests.practice_steps import create_service, professional

NOW = datetime.now(UTC)


def _ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def _hash() -> str:
    return secrets.token_hex(32)


async def test_each_kind_past_its_period_goes_and_within_it_stays(api):
    settings = api.settings
    await register(api, "anna@example.com")
    anna = await Account.get(email="anna@example.com")
    signed_in = await LoginSession.filter(account_id=anna.id).values_list("id", flat=True)
    old_session = await LoginSession.create(account_id=anna.id, token_hash=_hash(),
                                            last_seen_at=_ago(days=40), expires_at=_ago(days=39))
    recently_revoked = await LoginSession.create(
        account_id=anna.id, token_hash=_hash(), last_seen_at=_ago(days=2),
        expires_at=NOW + timedelta(hours=1), revoked_at=_ago(days=1))
    old_link = await AccountLink.create(account_id=anna.id, purpose=LinkPurpose.RESET_PASSWORD,
                                        token_hash=_hash(), email=anna.email,
                                        expires_at=_ago(days=8))
    used_link = await AccountLink.create(account_id=anna.id, purpose=LinkPurpose.RESET_PASSWORD,
                                         token_hash=_hash(), email=anna.email,
                                         expires_at=_ago(days=1), used_at=_ago(days=1))

    sigrun = await professional(api)
    service = await Service.get(slug=(await create_service(api, sigrun))["slug"])

    def invitation(**dates: datetime) -> Invitation:
        return Invitation(service=service, email="bjorn@example.is", name="Björn",
                          token_hash=_hash(), last_sent_at=_ago(days=200),
                          expires_at=dates.pop("expires_at", NOW), **dates)

    expired_long_ago = invitation(expires_at=_ago(days=91))
    expired_lately = invitation(expires_at=_ago(days=10))
    accepted_long_ago = invitation(expires_at=_ago(days=150), accepted_at=_ago(days=100),
                                   accepted_by=anna)
    for row in (expired_long_ago, expired_lately, accepted_long_ago):
        await row.save()
    engagement = await Engagement.create(client=anna, service=service,
                                         status=EngagementStatus.ENDED,
                                         source=EngagementSource.INVITATION,
                                         invitation=accepted_long_ago)

    def mail(status: OutboxStatus, sent_at: datetime | None) -> OutboxMessage:
        return OutboxMessage(template="t", status=status, next_attempt_at=_ago(days=30),
                             sent_at=sent_at)

    sent_long_ago = mail(OutboxStatus.SENT, _ago(days=8))
    sent_lately = mail(OutboxStatus.SENT, _ago(days=1))
    still_pending = mail(OutboxStatus.PENDING, None)
    for row in (sent_long_ago, sent_lately, still_pending):
        await row.save()
    old_count = await RateLimitEvent.create(key_hash=_hash(), at=_ago(days=2))
    fresh_count = await RateLimitEvent.create(key_hash=_hash(), at=_ago(minutes=5))

    removed = await retention.remove_expired(settings, now=NOW)

    assert removed["ended_login_sessions"] >= 1
    assert not await LoginSession.exists(id=old_session.id)
    assert await LoginSession.exists(id=recently_revoked.id)
    assert await LoginSession.filter(id__in=list(signed_in)).count() == len(signed_in)
    assert not await AccountLink.exists(id=old_link.id)
    assert await AccountLink.exists(id=used_link.id)
    assert not await Invitation.exists(id=expired_long_ago.id)
    assert await Invitation.exists(id=expired_lately.id)
    assert not await Invitation.exists(id=accepted_long_ago.id)
    assert (await Engagement.get(id=engagement.id)).invitation_id is None
    assert not await OutboxMessage.exists(id=sent_long_ago.id)
    assert await OutboxMessage.exists(id=sent_lately.id)
    assert await OutboxMessage.exists(id=still_pending.id)
    assert not await RateLimitEvent.exists(id=old_count.id)
    assert await RateLimitEvent.exists(id=fresh_count.id)

    assert set((await retention.remove_expired(settings, now=NOW)).values()) == {0}


async def test_payments_of_an_erased_person_go_after_the_bookkeeping_period_only(api):
    practice = await engaged_practice(api)
    for day in range(3):
        payment = await record_manual(api, practice.professional, await book(practice, day=day))
        assert payment["userErrors"] == []
    payments = await Payment.all().order_by("receipt_number")
    years = api.settings.bookkeeping_retention_years
    old, recent, _ = payments
    await Payment.filter(id=old.id).update(
        created_at=datetime(NOW.year - years - 1, 12, 31, 12, tzinfo=UTC))
    await Payment.filter(id=recent.id).update(
        created_at=datetime(NOW.year - years, 1, 2, tzinfo=UTC))

    assert (await retention.remove_expired(api.settings, now=NOW))[
        "bookkeeping_of_erased_people"] == 0  # the client is not erased: their records stay

    await Account.filter(id=practice.client_id).update(erased_at=NOW)
    await retention.remove_expired(api.settings, now=NOW)
    assert sorted(p.id for p in await Payment.all()) == sorted(p.id for p in payments[1:])


async def test_spent_eid_attempts_and_finished_exports_go_after_their_periods(api):
    await register(api, "anna@example.com")
    anna = await Account.get(email="anna@example.com")

    def attempt(**dates: datetime) -> ExternalSignInAttempt:
        return ExternalSignInAttempt(state_hash=_hash(), provider="island",
                                     redirect_uri="https://spa.example/eid", **dates)

    old_attempt = attempt(expires_at=_ago(days=8))
    fresh_attempt = attempt(expires_at=_ago(minutes=5), used_at=_ago(minutes=6))
    for row in (old_attempt, fresh_attempt):
        await row.save()
    old_registration = await ExternalRegistration.create(
        token_hash=_hash(), provider="island", national_id_hash=_hash(),
        national_id_encrypted=b"sealed", name="Anna", expires_at=_ago(days=8))
    expired_export = await DataExport.create(account=anna, status=DataExportStatus.EXPIRED,
                                             expires_at=_ago(days=31))
    failed_lately = await DataExport.create(account=anna, status=DataExportStatus.FAILED)

    removed = await retention.remove_expired(api.settings, now=NOW)

    assert removed["spent_external_sign_ins"] == 2
    assert not await ExternalSignInAttempt.exists(id=old_attempt.id)
    assert await ExternalSignInAttempt.exists(id=fresh_attempt.id)
    assert not await ExternalRegistration.exists(id=old_registration.id)
    assert removed["finished_exports"] == 1
    assert not await DataExport.exists(id=expired_export.id)
    assert await DataExport.exists(id=failed_lately.id)
