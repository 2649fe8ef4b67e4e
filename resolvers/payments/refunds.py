"""Refunds, in full or in part, by the professional who was paid.

A card refund goes to Stripe first with an idempotency key naming this exact refund (the
payment, what was refunded before, and the amount), so a retry after a timeout refunds once.
Our row is then written with a conditional UPDATE on the refunded total we started from; the
`charge.refunded` webhook reconciles the total with Stripe's in case a refund was made
elsewhere (the dashboard) or the two raced.
"""

from __future__ import annotations

from uuid import UUID

from tortoise.transactions import in_transaction

from gateways.payment_errors import PaymentGatewayError
from gateways.stripe_gateway import StripeGateway
from models.payments import Payment, PaymentMethodKind, PaymentRefund, PaymentStatus
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.payments import payment_events
from resolvers.payments.gateway_errors import as_user_error
from resolvers.payments.payments import professionals_payment

REFUNDABLE = (PaymentStatus.PAID,)


async def refund_payment(caller: Caller, payment_id: UUID | None, *,
                         amount: int | None = None) -> Payment:
    """Give back `amount` (minor units), or everything not yet refunded when it is None."""
    account = caller.require_professional()
    payment = await professionals_payment(account, payment_id)
    if payment.status not in REFUNDABLE:
        raise fail("Only a paid payment can be refunded; this one is "
                   f"{payment.status.value.replace('_', ' ')}.", ErrorCode.WRONG_STATUS,
                   "paymentId")
    left = payment.amount - payment.refunded_amount
    amount = left if amount is None else amount
    if not 0 < amount <= left:
        raise fail(f"Refund between 1 and {left} (minor units): that is what is left of this "
                   "payment.", field="amount")
    stripe_refund_id = None
    if payment.method is PaymentMethodKind.CARD:
        stripe_refund_id = await _refund_at_stripe(caller, payment, amount)
    async with in_transaction():
        total = payment.refunded_amount + amount
        updated = await Payment.filter(
            id=payment.id, refunded_amount=payment.refunded_amount, status__in=list(REFUNDABLE)
        ).update(refunded_amount=total,
                 status=PaymentStatus.REFUNDED if total >= payment.amount else payment.status)
        if updated:
            await PaymentRefund.create(payment_id=payment.id, amount=amount,
                                       stripe_refund_id=stripe_refund_id,
                                       created_by_id=account.id)
            await audit.record(caller, "refund_payment", subject_type="payment",
                               subject_id=payment.id, person_id=payment.client_id)
            await payment_events.announce(caller.events, payment, "payment_refunded")
        elif stripe_refund_id is None:
            raise fail("This payment changed while you were refunding it; look again and "
                       "retry.", ErrorCode.CONFLICT, "paymentId")
    return await Payment.get(id=payment.id)


async def _refund_at_stripe(caller: Caller, payment: Payment, amount: int) -> str:
    if not caller.settings.card_payments_enabled or not payment.stripe_payment_intent_id:
        raise fail("Card payments are not enabled on this server, so a card payment cannot be "
                   "refunded here; refund it from the Stripe dashboard.",
                   ErrorCode.CARD_PAYMENTS_DISABLED)
    key = f"refund:{payment.id}:{payment.refunded_amount}:{amount}"
    try:
        async with StripeGateway(caller.settings) as gateway:
            result = await gateway.refund(payment_intent_id=payment.stripe_payment_intent_id,
                                          currency=payment.currency, amount_minor=amount,
                                          idempotency_key=key)
    except PaymentGatewayError as error:
        raise as_user_error(error) from None
    return result.refund_id
