"""Stripe's webhooks: what each event changes, applied once.

Stripe delivers events at least once and in no particular order. Each event id is inserted
into ProcessedEvent first, in the same transaction as its effect: a replay fails that insert
and changes nothing. Order does not matter because every effect is conditional on the state
it moves from (a payment is paid once and a paid payment never becomes failed; the refunded
total only grows; an older card does not replace a newer one). Unknown event types are
acknowledged and ignored, so enabling more events in the dashboard breaks nothing. An effect
that changed a payment tells both sides' hubs (resolvers/payments/payment_events.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from gateways.events import Events
from gateways.payment_errors import CardPaymentsDisabled, PaymentGatewayError, WebhookSignatureError
from gateways.payment_results import CardDetails, WebhookEvent
from gateways.stripe_amounts import from_stripe_amount
from gateways.stripe_gateway import StripeGateway, parse_webhook
from models.payments import Payment, PaymentRefund, PaymentStatus, ProcessedEvent
from resolvers.core.validation import as_uuid
from resolvers.payments import cards, payment_events
from resolvers.payments.payment_cancellation import mark_canceled
from resolvers.payments.payments import UNSETTLED, mark_paid
from settings import Settings

log = logging.getLogger("therapyhub.payments")


class WebhookRefused(Exception):
    """Not a webhook we accept; `status` is the HTTP answer (400 bad signature, 404 off)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def receive(settings: Settings, events: Events, payload: bytes,
                  signature_header: str | None) -> str:
    """Verify and apply one webhook request; returns what happened, for the log."""
    try:
        event = parse_webhook(settings, payload, signature_header)
    except CardPaymentsDisabled:
        raise WebhookRefused(404, "Card payments are not enabled on this server.") from None
    except WebhookSignatureError as error:
        raise WebhookRefused(400, str(error)) from None
    handler = _HANDLERS.get(event.type)
    if handler is None:
        return "ignored"
    if await ProcessedEvent.exists(event_id=event.id):
        return "duplicate"
    return await handler(settings, events, event)


async def _payment_of(intent: dict[str, Any]) -> Payment | None:
    """Our payment for a PaymentIntent: by its id, or by the payment id we put in its metadata
    (the answer to the create request may have been lost)."""
    payment_id = as_uuid(str((intent.get("metadata") or {}).get("payment_id", "")))
    condition = Q(stripe_payment_intent_id=intent["id"])
    if payment_id:
        condition |= Q(id=payment_id)
    return await Payment.filter(condition).first()


async def _once(event: WebhookEvent, payment: Payment | None,
                effect: Callable[[Payment], Awaitable[str]]) -> str:
    """The skeleton of every payment event: record the event id and apply its effect on our
    payment in one transaction, so a second delivery changes nothing and neither is half done."""
    async with in_transaction():
        if not await _record(event):
            return "duplicate"
        if payment is None:
            return "not ours"
        return await effect(payment)


async def _payment_succeeded(settings: Settings, events: Events, event: WebhookEvent) -> str:
    intent = event.data_object

    async def effect(payment: Payment) -> str:
        try:
            async with in_transaction():
                changed = await mark_paid(
                    payment.id, payment.professional_id,
                    from_statuses=(*UNSETTLED, PaymentStatus.FAILED),
                    stripe_payment_intent_id=intent["id"], settles_session_id=payment.session_id,
                )
        except IntegrityError:
            # The client confirmed a once-failed charge after the session was paid another
            # way: the money was taken, so it is recorded as paid (a double payment the
            # professional sees and refunds) without claiming the session a second time.
            changed = await mark_paid(payment.id, payment.professional_id,
                                      from_statuses=(PaymentStatus.FAILED,),
                                      stripe_payment_intent_id=intent["id"])
        if changed:
            await payment_events.announce(events, payment, "payment_paid")
        return "paid" if changed else "no change"

    return await _once(event, await _payment_of(intent), effect)


NEEDS_CLIENT = "authentication_required"


async def _payment_failed(settings: Settings, events: Events, event: WebhookEvent) -> str:
    intent = event.data_object
    error = intent.get("last_payment_error") or {}

    async def effect(payment: Payment) -> str:
        if error.get("code") == NEEDS_CLIENT and payment.status is PaymentStatus.REQUIRES_ACTION:
            # Stripe reports the off-session attempt that needed the client as failed; that is
            # the REQUIRES_ACTION we already show, and the client can still confirm it.
            return "awaiting the client"
        changed = await Payment.filter(id=payment.id, status__in=list(UNSETTLED)).update(
            status=PaymentStatus.FAILED, settles_session_id=None, client_secret=None,
            stripe_payment_intent_id=intent["id"],
            failure_code=str(error.get("decline_code") or error.get("code") or "declined")[:64],
            failure_message=error.get("message") or "The card was declined.",
        )
        if changed:
            await payment_events.announce(events, payment, "payment_failed")
        return "failed" if changed else "no change"

    return await _once(event, await _payment_of(intent), effect)


async def _payment_canceled(settings: Settings, events: Events, event: WebhookEvent) -> str:
    """Cancelled at Stripe (our cancelPayment's echo, or the dashboard): it can never be
    charged, so a waiting payment fails with the code `canceled` and frees its session."""
    intent = event.data_object

    async def effect(payment: Payment) -> str:
        changed = await mark_canceled(payment.id, stripe_payment_intent_id=intent["id"])
        if changed:
            await payment_events.announce(events, payment, "payment_failed")
        return "canceled" if changed else "no change"

    return await _once(event, await _payment_of(intent), effect)


async def _charge_refunded(settings: Settings, events: Events, event: WebhookEvent) -> str:
    """Bring the refunded total up to Stripe's (refunds made in the Stripe dashboard too); a
    total lower than ours is an older event and changes nothing."""
    charge = event.data_object

    async def effect(payment: Payment) -> str:
        total = from_stripe_amount(int(charge.get("amount_refunded", 0)), charge["currency"])
        total = min(total, payment.amount)
        current = await Payment.get(id=payment.id)
        if total <= current.refunded_amount:
            return "no change"
        updated = await Payment.filter(id=payment.id,
                                       refunded_amount=current.refunded_amount).update(
            refunded_amount=total,
            status=PaymentStatus.REFUNDED if total >= current.amount else current.status,
        )
        if updated:
            await PaymentRefund.create(payment_id=payment.id,
                                       amount=total - current.refunded_amount)
            await payment_events.announce(events, payment, "payment_refunded")
        return "refunded"

    payment = await Payment.filter(stripe_payment_intent_id=charge.get("payment_intent")).first()
    return await _once(event, payment, effect)


async def _setup_succeeded(settings: Settings, _events: Events, event: WebhookEvent) -> str:
    """Save the card the client just confirmed in Stripe Elements. Its details come from
    Stripe (the event may carry only the payment method's id)."""
    intent = event.data_object
    method, customer = intent.get("payment_method"), intent.get("customer")
    if isinstance(method, dict):
        method = method.get("id")
    if not method or not customer:
        return "no card"
    details = await _card_details(settings, method)
    async with in_transaction():
        if not await _record(event):
            return "duplicate"
        changed = await cards.save_card(details, customer_id=customer,
                                        event_created=event.created)
    return "card saved" if changed else "no change"


async def _card_details(settings: Settings, payment_method_id: str) -> CardDetails:
    try:
        async with StripeGateway(settings) as gateway:
            return await gateway.payment_method_details(payment_method_id)
    except PaymentGatewayError as error:
        # Stripe retries a webhook answered with an error, so a passing outage heals itself.
        raise WebhookRefused(503, f"Could not read the card from Stripe: {error}") from None


async def _record(event: WebhookEvent) -> bool:
    """Insert the event id first, inside the transaction of its effect; False when another
    delivery of the same event already did (the effect is then skipped)."""
    try:
        async with in_transaction():  # a savepoint: a duplicate leaves the outer one usable
            await ProcessedEvent.create(event_id=event.id, event_type=event.type)
    except IntegrityError:
        return False
    return True


Handler = Callable[[Settings, Events, WebhookEvent], Awaitable[str]]
_HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": _payment_succeeded,
    "payment_intent.payment_failed": _payment_failed,
    "payment_intent.canceled": _payment_canceled,
    "charge.refunded": _charge_refunded,
    "setup_intent.succeeded": _setup_succeeded,
}
