"""What every payment use case shares: finding sessions and payments the caller may act on,
and the one way a payment becomes paid (with its receipt number)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from tortoise.expressions import Q

from models.accounts import Account
from models.payments import Payment, PaymentStatus
from models.scheduling import Session, SessionStatus
from resolvers.core.errors import ErrorCode, UserErrors, fail
from resolvers.payments import receipt_numbers

SESSION_NOT_FOUND = "That session does not exist, or it is not yours."
PAYMENT_NOT_FOUND = "That payment does not exist, or it is not yours."
PAYABLE_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.COMPLETED,
                    SessionStatus.LATE_CANCELLED, SessionStatus.NO_SHOW)
"""A cancelled session (in time) is not paid for; every other one may be."""
UNSETTLED = (PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION)
ALREADY_PAID_MESSAGE = "This session is already paid; refund that payment first to record another."
UNSETTLED_MESSAGE = ("A card payment for this session is already under way (being processed, "
                     "or waiting for the client to confirm it with their bank); cancel that "
                     "payment first (cancelPayment) to take another.")


async def professionals_session(account: Account, session_id: UUID | None) -> Session:
    """A session of this professional, or NOT_FOUND exactly as for one that does not exist."""
    session = None
    if session_id is not None:
        session = await Session.get_or_none(id=session_id, professional_id=account.id)
    if session is None:
        raise fail(SESSION_NOT_FOUND, ErrorCode.NOT_FOUND, "sessionId")
    return session


def check_payable(session: Session) -> None:
    if session.status not in PAYABLE_STATUSES:
        raise fail("This session was cancelled in time, so there is nothing to pay.",
                   ErrorCode.WRONG_STATUS, "sessionId")


async def already_paid(session_id: UUID) -> UserErrors:
    """ALREADY_PAID for a session that another payment settles, saying what to do about it:
    refund a paid one, cancel one that is still waiting."""
    current = await Payment.get_or_none(settles_session_id=session_id)
    unsettled = current is not None and current.status in UNSETTLED
    return fail(UNSETTLED_MESSAGE if unsettled else ALREADY_PAID_MESSAGE, ErrorCode.ALREADY_PAID,
                "sessionId")


async def professionals_payment(account: Account, payment_id: UUID | None) -> Payment:
    payment = None
    if payment_id is not None:
        payment = await Payment.get_or_none(id=payment_id, professional_id=account.id)
    if payment is None:
        raise fail(PAYMENT_NOT_FOUND, ErrorCode.NOT_FOUND, "paymentId")
    return payment


async def visible_payments(account: Account | None, ids: Iterable[UUID]) -> dict[UUID, Payment]:
    """Payments among `ids` that this account made or received; the rest are simply absent."""
    if account is None:
        return {}
    found = await Payment.filter(Q(client_id=account.id) | Q(professional_id=account.id),
                                 id__in=list(ids))
    return {payment.id: payment for payment in found}


async def mark_paid(payment_id: UUID, professional_id: UUID, *,
                    from_statuses: Iterable[PaymentStatus] = UNSETTLED,
                    **changes: object) -> bool:
    """Make the payment paid and give it the professional's next receipt number. Call inside
    a transaction. A conditional UPDATE on the current status, so a payment is paid (and
    numbered) once however many webhooks and requests race; False when it was not in
    `from_statuses`."""
    updated = await Payment.filter(id=payment_id, status__in=list(from_statuses)).update(
        status=PaymentStatus.PAID, paid_at=datetime.now(UTC), client_secret=None,
        failure_code="", failure_message="", **changes,
    )
    if not updated:
        return False
    number = await receipt_numbers.next_number(professional_id)
    await Payment.filter(id=payment_id, receipt_number=None).update(receipt_number=number)
    return True
