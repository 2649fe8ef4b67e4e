"""Retention: removing, on a schedule, what has no reason to stay (GDPR Art. 5(1)(e)).

Each sweep deletes the rows of one kind that are past their period (settings, docs/privacy.md)
in one statement, so several app processes running the job at once only race to delete the
same rows, which is harmless. What the law keeps is not swept: sessions and notes (health
records) stay; payments and receipts of an erased person go once the bookkeeping period after
their year has passed.

Another kind of row with a period adds its sweep to `SWEEPS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.account_links import AccountLink
from models.accounts import (
    ExternalRegistration,
    ExternalSignInAttempt,
    KnownDevice,
    LoginSession,
    SecondFactorChallenge,
)
from models.live import Signal
from models.outbox import OutboxMessage, OutboxStatus
from models.payments import Payment
from models.practice import Invitation
from models.privacy import DataExport, DataExportStatus
from models.rate_limits import RateLimitEvent
from settings import Settings

RATE_LIMIT_KEEP = timedelta(days=1)
"""Longer than every rate-limit window (each is at most a day, settings.py checks it)."""

Sweep = Callable[[Settings, datetime], Awaitable[int]]


def _days(days: int) -> timedelta:
    return timedelta(days=days)


async def ended_login_sessions(settings: Settings, now: datetime) -> int:
    """Expired (absolutely or idle) or revoked longer ago than the period; their held notes
    keys go with them (a cascade). Half-finished second-factor sign-ins and expired known
    devices share the period."""
    cutoff = now - _days(settings.login_session_retention_days)
    idle_cutoff = cutoff - timedelta(minutes=settings.session_idle_minutes)
    removed = await LoginSession.filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff) | Q(last_seen_at__lt=idle_cutoff)
    ).delete()
    removed += await SecondFactorChallenge.filter(expires_at__lt=cutoff).delete()
    return removed + await KnownDevice.filter(expires_at__lt=cutoff).delete()


async def closed_invitations(settings: Settings, now: datetime) -> int:
    """Expired, withdrawn or accepted longer ago than the period (an engagement made from one
    keeps everything it needs; its link to the invitation becomes null)."""
    cutoff = now - _days(settings.invitation_retention_days)
    return await Invitation.filter(
        Q(expires_at__lt=cutoff, accepted_at=None) | Q(revoked_at__lt=cutoff)
        | Q(accepted_at__lt=cutoff)
    ).delete()


async def spent_account_links(settings: Settings, now: datetime) -> int:
    """Confirmation and password reset links used or expired longer ago than the period."""
    cutoff = now - _days(settings.account_link_retention_days)
    return await AccountLink.filter(Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff)).delete()


async def delivered_mail(settings: Settings, now: datetime) -> int:
    """Delivery records of sent emails, and of emails given up on, past the period."""
    cutoff = now - _days(settings.outbox_retention_days)
    return await OutboxMessage.filter(
        Q(status=OutboxStatus.SENT, sent_at__lt=cutoff)
        | Q(status=OutboxStatus.FAILED, next_attempt_at__lt=cutoff)
    ).delete()


async def counted_attempts(settings: Settings, now: datetime) -> int:
    """Rate-limit counts older than any window that reads them."""
    return await RateLimitEvent.filter(at__lt=now - RATE_LIMIT_KEEP).delete()


async def spent_external_sign_ins(settings: Settings, now: datetime) -> int:
    """eID round trips and registrations waiting for an email, used or expired longer ago than
    the links' period: a registration holds a national id, sealed, until it goes."""
    cutoff = now - _days(settings.account_link_retention_days)
    removed = await ExternalSignInAttempt.filter(
        Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff)).delete()
    return removed + await ExternalRegistration.filter(
        Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff)).delete()


async def finished_exports(settings: Settings, now: datetime) -> int:
    """Exports whose link expired or whose build failed, longer ago than the period; the
    archive itself is erased when its link expires (jobs/data_exports.py), and the audit log
    keeps that an export was made."""
    cutoff = now - _days(settings.data_export_retention_days)
    return await DataExport.filter(
        Q(status=DataExportStatus.EXPIRED, expires_at__lt=cutoff)
        | Q(status=DataExportStatus.FAILED, requested_at__lt=cutoff)
    ).delete()


async def undelivered_signals(settings: Settings, now: datetime) -> int:
    """Live-session signals nobody picked up before they expired."""
    return await Signal.filter(expires_at__lt=now).delete()


async def bookkeeping_of_erased_people(settings: Settings, now: datetime) -> int:
    """Payments (with their refunds and receipts) of erased people, once the bookkeeping period
    counted from the end of their year is over: one from 2019 stays to the end of 2026 with
    seven years."""
    cutoff = datetime(now.year - settings.bookkeeping_retention_years, 1, 1, tzinfo=UTC)
    return await Payment.filter(client__erased_at__isnull=False, created_at__lt=cutoff).delete()


SWEEPS: list[Sweep] = [
    ended_login_sessions,
    closed_invitations,
    spent_account_links,
    delivered_mail,
    counted_attempts,
    undelivered_signals,
    spent_external_sign_ins,
    finished_exports,
    bookkeeping_of_erased_people,
]
"""Every kind of row with a retention period; a module adding one appends its sweep."""


async def remove_expired(settings: Settings, *, now: datetime | None = None) -> dict[str, int]:
    """Run every sweep once; how many rows each removed, by its name."""
    now = now or datetime.now(UTC)
    removed = {}
    for sweep in SWEEPS:
        async with in_transaction():
            removed[sweep.__name__] = await sweep(settings, now)
    return removed
