"""Cancelling a card payment that is still waiting, so the session can be paid another way.

A payment stuck in REQUIRES_ACTION (the client never confirmed it) or PROCESSING holds its
session (`settles_session_id`). Cancelling cancels its PaymentIntent at Stripe first, so it can
never be charged later, and only then marks it FAILED with the code `canceled`, which frees
the session for a new charge or a manual payment. Stripe's `payment_intent.canceled` webhook
(a cancellation in the dashboard, or the echo of ours) does the same through `mark_canceled`.
"""

from __future__ import annotations

from uuid import UUID

from tortoise.transactions import in_transaction

from gateways.payment_errors import PaymentGatewayError
from gateways.stripe_gateway import StripeGateway
from models.payments import Payment, PaymentStatus
from resolvers import audit
from resolvers.caller import Caller
from resolvers.cards import require_card_payments
from resolvers.errors import ErrorCode, fail
from resolvers.gateway_errors import as_user_error
from resolvers.payments import UNSETTLED, professionals_payment

CANCELED_CODE = "canceled"
CANCELED_MESSAGE = "The payment was cancelled; nothing was charged."


async def cancel_payment(caller: Caller, payment_id: UUID | None) -> Payment:
    """The professional cancels one of their card payments that has not settled."""
    account = caller.require_professional()
    payment = await professionals_payment(account, payment_id)
    if payment.status not in UNSETTLED:
        raise fail("Only a card payment that is still waiting (REQUIRES_ACTION or PROCESSING) "
                   "can be cancelled; this one is "
                   f"{payment.status.value.replace('_', ' ')}. Refund a paid one instead.",
                   ErrorCode.WRONG_STATUS, "paymentId")
    require_card_payments(caller.settings)
    if payment.stripe_payment_intent_id is None:
        raise fail("The card processor's answer for this payment has not arrived yet, so it "
                   "cannot be cancelled. Charge the session again (safe: it is never charged "
                   "twice) to learn the outcome, then cancel it if it is still waiting.",
                   ErrorCode.WRONG_STATUS, "paymentId")
    try:
        async with StripeGateway(caller.settings) as gateway:
            status = await gateway.cancel_payment_intent(
                payment.stripe_payment_intent_id, idempotency_key=f"cancel:{payment.id}")
    except PaymentGatewayError as error:
        raise as_user_error(error) from None
    if status != "canceled":
        raise fail("The card processor has already settled this payment, so it can no longer "
                   "be cancelled; its outcome shows here within a minute (refund it if it was "
                   "paid).", ErrorCode.WRONG_STATUS, "paymentId")
    async with in_transaction():
        await mark_canceled(payment.id)  # the webhook's echo may have done it already
        await audit.record(caller, "cancel_payment", subject_type="payment",
                           subject_id=payment.id, person_id=payment.client_id)
    return await Payment.get(id=payment.id)


async def mark_canceled(payment_id: UUID, **changes: object) -> bool:
    """FAILED with the code `canceled`, freeing the session; conditional on the payment
    being unsettled, so a paid or already failed payment is left as it is."""
    return bool(await Payment.filter(id=payment_id, status__in=list(UNSETTLED)).update(
        status=PaymentStatus.FAILED, settles_session_id=None, client_secret=None,
        failure_code=CANCELED_CODE, failure_message=CANCELED_MESSAGE, **changes))
