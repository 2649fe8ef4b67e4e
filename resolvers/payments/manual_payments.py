"""Payments a professional records by hand: cash, bank transfer, or paid by an insurer.

These work with or without Stripe. The payment is paid at once and numbered in the same
transaction; the session's unique `settles_session_id` keeps two records (or a record and a
card charge) from both settling one session.
"""

from __future__ import annotations

from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.payments import Payment, PaymentMethodKind, PaymentStatus
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import fail
from resolvers.payments import payment_events
from resolvers.payments.payments import (
    already_paid,
    check_payable,
    mark_paid,
    professionals_session,
)

MANUAL_METHODS = (PaymentMethodKind.CASH, PaymentMethodKind.BANK_TRANSFER,
                  PaymentMethodKind.INSURER)


async def record_manual_payment(caller: Caller, session_id: UUID | None, *,
                                method: PaymentMethodKind, amount: int | None = None) -> Payment:
    """Record that the client paid for a session outside the app. `amount` defaults to the
    session's price."""
    account = caller.require_professional()
    session = await professionals_session(account, session_id)
    check_payable(session)
    if method not in MANUAL_METHODS:
        raise fail("Record cash, bank transfer or insurer here; card payments go through "
                   "chargeSession.", field="method")
    amount = session.price_amount if amount is None else amount
    if not 0 < amount <= 100_000_000:
        raise fail("Enter the amount paid in minor units, more than 0 (15000 is 15.000 kr.).",
                   field="amount")
    try:
        async with in_transaction():
            payment = await Payment.create(
                session_id=session.id, settles_session_id=session.id,
                professional_id=session.professional_id, client_id=session.client_id,
                amount=amount, currency=session.currency,
                vat_rate_basis_points=session.vat_rate_basis_points,
                status=PaymentStatus.PROCESSING, method=method, recorded_by_id=account.id,
            )
            await mark_paid(payment.id, session.professional_id)
            await payment_events.announce(caller.events, payment, "payment_paid")
            await audit.record(caller, "record_manual_payment", subject_type="payment",
                               subject_id=payment.id, person_id=session.client_id)
    except IntegrityError:
        raise await already_paid(session.id) from None
    return await Payment.get(id=payment.id)
