"""Cancelling a card payment that is still waiting, so the session can be paid another way.

A payment stuck in REQUIRES_ACTION (the client never confirmed it) or PROCESSING holds its
session (`settles_session_id`). Cancelling cancels its PaymentIntent at Stripe first, so it can
never be charged later, and only then marks it FAILED with the code `canceled`, which frees
the session for a new charge or a manual payment. Stripe's `payment_intent.canceled` webhook
(a cancellation in the dashboard, or the echo of ours) does the same through `mark_canceled`.

A PROCESSING payment whose answer was lost has no PaymentIntent id: it is looked up among the
client's intents by our payment id in its metadata. When Stripe has none, the request never
reached it, and once the gateway's own retries are surely over (`_lost_answer_grace`) the
payment is cancelled here alone. Should such a request still be carried out later, its
`payment_intent.succeeded` webhook records it as paid (stripe_webhooks.py), so no money goes
unseen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from gateways.payment_errors import PaymentGatewayError
from gateways.stripe_gateway import StripeGateway
from models.payments import Payment, PaymentStatus, SavedCard
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.payments import payment_events
from resolvers.payments.cards import require_card_payments
from resolvers.payments.gateway_errors import as_user_error
from resolvers.payments.payments import UNSETTLED, professionals_payment
from settings import Settings

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
    intent_id = payment.stripe_payment_intent_id
    try:
        async with StripeGateway(caller.settings) as gateway:
            if intent_id is None:
                intent_id = await _lost_intent(caller.settings, gateway, payment)
            status = "canceled" if intent_id is None else await gateway.cancel_payment_intent(
                intent_id, idempotency_key=f"cancel:{payment.id}")
    except PaymentGatewayError as error:
        raise as_user_error(error) from None
    if status != "canceled":
        raise fail("The card processor has already settled this payment, so it can no longer "
                   "be cancelled; its outcome shows here within a minute (refund it if it was "
                   "paid).", ErrorCode.WRONG_STATUS, "paymentId")
    found = {"stripe_payment_intent_id": intent_id} if intent_id else {}
    async with in_transaction():
        # The webhook's echo may have done it already (and told the hubs then).
        if await mark_canceled(payment.id, **found):
            await payment_events.announce(caller.events, payment, "payment_failed")
        await audit.record(caller, "cancel_payment", subject_type="payment",
                           subject_id=payment.id, person_id=payment.client_id)
    return await Payment.get(id=payment.id)


async def _lost_intent(settings: Settings, gateway: StripeGateway,
                       payment: Payment) -> str | None:
    """The PaymentIntent of a charge whose answer was lost, or None when Stripe never got the
    request; refuses while the gateway may still be retrying it."""
    card = await SavedCard.get_or_none(account_id=payment.client_id)
    intent_id = None
    if card is not None:
        intent_id = await gateway.find_payment_intent(
            card.stripe_customer_id, payment_id=str(payment.id),
            created_since=payment.created_at - timedelta(minutes=5))
    if intent_id is None and datetime.now(UTC) < payment.created_at + _lost_answer_grace(settings):
        raise fail("The card processor has not answered for this payment yet; try again in a "
                   "couple of minutes.", ErrorCode.WRONG_STATUS, "paymentId")
    return intent_id


def _lost_answer_grace(settings: Settings) -> timedelta:
    """How long the gateway may still be sending a charge: every try's timeout, plus a
    minute for the back-off between them and the clocks."""
    tries = settings.stripe_max_network_retries + 1
    return timedelta(seconds=settings.stripe_timeout_seconds * tries + 60)


async def mark_canceled(payment_id: UUID, **changes: object) -> bool:
    """FAILED with the code `canceled`, freeing the session; conditional on the payment
    being unsettled, so a paid or already failed payment is left as it is."""
    return bool(await Payment.filter(id=payment_id, status__in=list(UNSETTLED)).update(
        status=PaymentStatus.FAILED, settles_session_id=None, client_secret=None,
        failure_code=CANCELED_CODE, failure_message=CANCELED_MESSAGE, **changes))
