"""Deleting one's account (GDPR Art. 17), within what health-records and bookkeeping law keep.

The account row stays as a pseudonymous tombstone, because sessions, notes and payments refer
to it (`Note.client` is ON DELETE RESTRICT on purpose): the professional's clinical record
(sessions, notes) is never destroyed by a client's erasure, and payments and receipts are kept
for `bookkeeping_retention_years` (the retention job removes them after). Everything that
identifies the person is erased: name and email replaced (the email by an unreachable unique
address, so the real one can register again as a new person), the password made unusable,
second factor, sign-ins, devices, links, calendar feeds, registration answers and request
messages deleted, the card and the Stripe customer deleted at Stripe.

Open engagements end first, through the same use cases a person uses, so future sessions are
cancelled and the other side is emailed exactly as when they end one by hand. A professional's
deletion also ends their clients' engagements (requests are declined with a reason), archives
their services and withdraws open invitations; their notes stay sealed to their key, which only
the recovery key they were given can open now (docs/privacy.md).

Stripe is called first, outside the transaction (an external call must not hold it open); it
is idempotent, so a failed erasure can simply be asked again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from models.account_links import AccountLink
from models.accounts import (
    Account,
    ExternalIdentity,
    ExternalSignInAttempt,
    KnownDevice,
    LoginSession,
    RecoveryCode,
    SecondFactorChallenge,
)
from models.payments import Payment, SavedCard
from models.practice import (
    OPEN_ENGAGEMENT_STATUSES,
    Engagement,
    EngagementSide,
    EngagementStatus,
    Invitation,
    ProfessionalProfile,
    Service,
)
from models.scheduling import CalendarFeed
from resolvers.accounts.reauthentication import confirm_identity
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.payments import cards
from resolvers.practice import engagements

UNUSABLE_PASSWORD = "!erased"
"""Not an argon2 hash: no password verifies against it."""

PROFESSIONAL_LEFT = "The professional has closed their account, so this service has ended."


def tombstone_email(account: Account) -> str:
    """Unique (the account id) and unreachable (RFC 2606 reserves .invalid)."""
    return f"erased-{account.id.hex}@erased.invalid"


def pseudonym_of(account: Account) -> str:
    role = "client" if account.is_client else "professional"
    return f"Former {role} {secrets.token_hex(3).upper()}"


async def delete_my_account(caller: Caller, *, password: str, code: str | None) -> None:
    """Erase the signed-in person, after they proved who they are again."""
    account = await confirm_identity(caller, password=password, code=code)
    await cards.forget_at_stripe(caller.settings, account)
    email = account.email
    now = datetime.now(UTC)
    async with in_transaction():
        await _end_as_client(caller, account)
        if account.is_professional:
            await _close_practice(caller, account, now)
        await _erase_personal_data(account, email)
        await Account.filter(id=account.id).update(
            name=pseudonym_of(account), email=tombstone_email(account),
            password_hash=UNUSABLE_PASSWORD, totp_secret=None, totp_pending_secret=None,
            totp_last_step=None, email_confirmed_at=None, erased_at=now, updated_at=now)
        await audit.record(caller, "delete_my_account", subject_type="account",
                           subject_id=account.id, person_id=account.id, actor_id=account.id)


async def _end_as_client(caller: Caller, account: Account) -> None:
    """Each open engagement ended (or request withdrawn) as the client would end it."""
    for engagement_id in await Engagement.filter(
            client_id=account.id, status__in=OPEN_ENGAGEMENT_STATUSES
    ).values_list("id", flat=True):
        await engagements.end_engagement(caller, engagement_id)  # type: ignore[arg-type]


async def _close_practice(caller: Caller, account: Account, now: datetime) -> None:
    """Clients told, sessions cancelled, no new clients: the practice closes."""
    open_ones = await Engagement.filter(
        service__professional__account_id=account.id, status__in=OPEN_ENGAGEMENT_STATUSES
    ).values_list("id", "status")
    for engagement_id, status in open_ones:
        if EngagementStatus(status) is EngagementStatus.REQUESTED:
            await engagements.decline_request(caller, engagement_id, reason=PROFESSIONAL_LEFT)
        else:
            await engagements.end_engagement(caller, engagement_id, reason=PROFESSIONAL_LEFT)
    await Service.filter(professional__account_id=account.id, archived_at=None).update(
        archived_at=now)
    await Invitation.filter(service__professional__account_id=account.id, accepted_at=None,
                            revoked_at=None).update(revoked_at=now)
    await ProfessionalProfile.filter(account_id=account.id).update(contact_email="",
                                                                   contact_phone="")


async def _erase_personal_data(account: Account, email: str) -> None:
    """What identifies the person or only served their sign-in, gone for good."""
    for model in (LoginSession, SecondFactorChallenge, RecoveryCode, KnownDevice, AccountLink,
                  CalendarFeed, SavedCard, ExternalIdentity, ExternalSignInAttempt):
        await model.filter(account_id=account.id).delete()
    await Invitation.filter(accepted_by_id=account.id).delete()
    await Invitation.filter(email=email, accepted_at=None).delete()
    await Engagement.filter(client_id=account.id).update(details_sealed=None,
                                                         request_message="")
    await Engagement.filter(client_id=account.id, ended_by=EngagementSide.CLIENT).update(
        end_reason="")
    await Payment.filter(client_id=account.id).update(client_secret=None)
