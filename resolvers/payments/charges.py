"""Charging a session to the client's card on file, off-session, through Stripe.

Charged once, whatever happens: each attempt has its own Stripe idempotency key, derived from
the session, the card and the attempt's number (`charge:<session>:<card>:<n>`), written on our
payment row before anything is sent. While that payment is unsettled it holds the session
(the unique `settles_session_id`), so a retry after a timeout, a double click, or the automatic
charge racing the professional's button all find it and reach Stripe with its key, which Stripe
answers once. An answer lost to a timeout leaves a PROCESSING payment that the retry (or
Stripe's webhook) completes.

Once an attempt has failed (declined, or cancelled with cancelPayment) it frees the session,
and the next charge is a new attempt with the next number: a new key, so Stripe asks the bank
again instead of repeating its cached decline for 24 hours. Two retries racing after a failure
compute the same number and so the same key; the unique key and `settles_session_id` let only
one of them write the payment.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gateways.payment_errors import GatewayUnavailable, PaymentGatewayError
from gateways.payment_results import ChargeResult
from gateways.stripe_amounts import to_stripe_amount
from gateways.stripe_gateway import StripeGateway
from models.payments import Payment, PaymentMethodKind, PaymentStatus, SavedCard
from models.practice import Service
from models.scheduling import Session, SessionStatus
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserErrors, fail
from resolvers.payments import payment_events, payment_mail
from resolvers.payments.cards import require_card_payments
from resolvers.payments.gateway_errors import as_user_error
from resolvers.payments.payments import (
    UNSETTLED,
    already_paid,
    check_payable,
    mark_paid,
    professionals_session,
)
from resolvers.scheduling.session_changes import SessionClosed

log = logging.getLogger("therapyhub.payments")

AUTO_CHARGE_STATUSES = (SessionStatus.COMPLETED, SessionStatus.LATE_CANCELLED)


async def charge_session(caller: Caller, session_id: UUID | None) -> Payment:
    """The professional charges a session to the client's saved card."""
    account = caller.require_professional()
    session = await professionals_session(account, session_id)
    require_card_payments(caller.settings)
    return await _charge(caller, session)


async def charge_automatically(caller: Caller, session: Session) -> Payment | None:
    """Charge a session that was just completed or late-cancelled, if its service says so
    (`Service.auto_charge`) and the client has a card on file. Booking's completeSession and
    cancelSession call this after their own transaction commits; `caller` is whoever made
    the change (the client, for a late cancellation).

    Never raises for payment trouble, so completing a session cannot fail because of the card:
    a decline is recorded as a FAILED payment the professional sees, and an unanswered Stripe
    request leaves a PROCESSING payment that chargeSession can retry safely.
    """
    if not caller.settings.card_payments_enabled or session.status not in AUTO_CHARGE_STATUSES:
        return None
    service = await Service.get(engagements__id=session.engagement_id)
    if not service.auto_charge or session.price_amount == 0:
        return None
    if not await SavedCard.exists(account_id=session.client_id, payment_method_id__isnull=False):
        return None
    try:
        return await _charge(caller, session, automatic=True)
    except UserErrors as error:
        log.info("Automatic charge of session %s not made: %s", session.id, error)
        return None


async def charge_closed_session(closed: SessionClosed) -> None:
    """Scheduling's completeSession and cancelSession announce the closed session after their
    commit; the charge (if any) follows as `charge_automatically` decides."""
    await charge_automatically(closed.caller, closed.session)


async def _charge(caller: Caller, session: Session, *, automatic: bool = False) -> Payment:
    check_payable(session)
    if session.price_amount <= 0:
        raise fail("This session is free: there is nothing to charge.", field="sessionId")
    card = await SavedCard.get_or_none(account_id=session.client_id,
                                       payment_method_id__isnull=False)
    if card is None or card.payment_method_id is None:
        raise fail("The client has no card on file. Ask them to add one in their hub, or "
                   "record the payment manually.", ErrorCode.NO_CARD, "sessionId")
    try:
        to_stripe_amount(session.price_amount, session.currency)
    except PaymentGatewayError as error:
        raise as_user_error(error) from None
    payment = await _payment_for(caller, session, card, automatic=automatic)
    if payment.status is not PaymentStatus.PROCESSING:
        return payment  # settled, or waiting for the client: the retry reports it as it is
    assert payment.stripe_idempotency_key, "a card payment is written with its key"
    try:
        async with StripeGateway(caller.settings) as gateway:
            result = await gateway.charge_off_session(
                customer_id=card.stripe_customer_id, payment_method_id=card.payment_method_id,
                amount_minor=payment.amount, currency=payment.currency,
                idempotency_key=payment.stripe_idempotency_key,
                metadata={"payment_id": str(payment.id), "session_id": str(session.id)},
            )
    except GatewayUnavailable as error:
        raise as_user_error(error) from None  # PROCESSING stays: the retry sends the same key
    except PaymentGatewayError as error:
        problem = as_user_error(error)
        await _fail(caller, payment, code="gateway_error", message=problem.errors[0].message)
        raise problem from None
    await apply_charge_result(caller, payment, result)
    return await Payment.get(id=payment.id)


async def _payment_for(caller: Caller, session: Session, card: SavedCard, *,
                       automatic: bool) -> Payment:
    """The payment this charge is about: the session's unsettled or paid card payment with this
    card (a retry), or a new PROCESSING attempt under the next attempt number's key."""
    prefix = f"charge:{session.id}:{card.payment_method_id}"
    current = await Payment.get_or_none(settles_session_id=session.id)
    if current is not None:
        key = current.stripe_idempotency_key or ""
        if key == prefix or key.startswith(f"{prefix}:"):  # the key without a number is older
            return current
        raise await already_paid(session.id)
    attempt = await Payment.filter(session_id=session.id,
                                   stripe_idempotency_key__isnull=False).count() + 1
    try:
        async with in_transaction():
            payment = await Payment.create(
                session_id=session.id, settles_session_id=session.id,
                professional_id=session.professional_id, client_id=session.client_id,
                amount=session.price_amount, currency=session.currency,
                vat_rate_basis_points=session.vat_rate_basis_points,
                status=PaymentStatus.PROCESSING, method=PaymentMethodKind.CARD,
                card_brand=card.brand, card_last4=card.last4,
                stripe_idempotency_key=f"{prefix}:{attempt}",
                recorded_by_id=None if automatic or not caller.account else caller.account.id,
            )
            await audit.record(caller, "auto_charge_session" if automatic else "charge_session",
                               subject_type="payment", subject_id=payment.id,
                               person_id=session.client_id)
    except IntegrityError:
        raise await already_paid(session.id) from None  # another request wrote it first
    return payment


async def apply_charge_result(caller: Caller, payment: Payment, result: ChargeResult) -> None:
    """Record Stripe's answer; conditional on the payment still being PROCESSING, so a webhook
    that got there first is not overwritten. A payment that comes to need the client's
    confirmation emails them, in the same transaction."""
    intent: dict[str, Any] = {"stripe_payment_intent_id": result.payment_intent_id} \
        if result.payment_intent_id else {}
    async with in_transaction():
        if result.outcome == "succeeded":
            if await mark_paid(payment.id, payment.professional_id, **intent):
                await payment_events.announce(caller.events, payment, "payment_paid")
        elif result.outcome == "requires_action":
            moved = await Payment.filter(id=payment.id, status=PaymentStatus.PROCESSING).update(
                status=PaymentStatus.REQUIRES_ACTION, client_secret=result.client_secret,
                **intent)
            if moved:
                await payment_mail.mail_confirmation_needed(caller.settings, payment)
        elif result.outcome == "processing":
            await Payment.filter(id=payment.id, status__in=list(UNSETTLED)).update(**intent)
        else:
            await _fail(caller, payment,
                        code=result.decline_code or result.failure_code or "declined",
                        message=result.failure_message or "The card was declined.", **intent)


async def _fail(caller: Caller, payment: Payment, *, code: str, message: str,
                **changes: object) -> None:
    if await Payment.filter(id=payment.id, status__in=list(UNSETTLED)).update(
            status=PaymentStatus.FAILED, settles_session_id=None, client_secret=None,
            failure_code=code[:64], failure_message=message, **changes):
        await payment_events.announce(caller.events, payment, "payment_failed")
