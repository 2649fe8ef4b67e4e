"""Charging a session to the client's card on file, off-session, through Stripe.

Charged once, whatever happens: the Stripe idempotency key is derived from the session and the
card (`charge:<session>:<card>`), and our payment row is found by that same key before
anything is sent. A retry after a timeout, a double click, or the automatic charge racing the
professional's button all reach Stripe as one request, which Stripe answers once. The row is
written before Stripe is called, so an answer lost to a timeout leaves a PROCESSING payment
that the retry (or Stripe's webhook) completes.
"""

from __future__ import annotations

import logging
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
from resolvers import audit
from resolvers.caller import Caller
from resolvers.cards import require_card_payments
from resolvers.errors import ErrorCode, UserErrors, fail
from resolvers.gateway_errors import as_user_error
from resolvers.manual_payments import ALREADY_PAID_MESSAGE
from resolvers.payments import UNSETTLED, check_payable, mark_paid, professionals_session

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
    key = f"charge:{session.id}:{card.payment_method_id}"
    payment = await _payment_for(caller, session, card, key, automatic=automatic)
    if payment.status not in UNSETTLED:
        return payment  # charged already: the retry reports what happened the first time
    try:
        async with StripeGateway(caller.settings) as gateway:
            result = await gateway.charge_off_session(
                customer_id=card.stripe_customer_id, payment_method_id=card.payment_method_id,
                amount_minor=payment.amount, currency=payment.currency, idempotency_key=key,
                metadata={"payment_id": str(payment.id), "session_id": str(session.id)},
            )
    except GatewayUnavailable as error:
        raise as_user_error(error) from None  # PROCESSING stays: the retry sends the same key
    except PaymentGatewayError as error:
        problem = as_user_error(error)
        await _fail(payment, code="gateway_error", message=problem.errors[0].message)
        raise problem from None
    await apply_charge_result(payment, result)
    return await Payment.get(id=payment.id)


async def _payment_for(caller: Caller, session: Session, card: SavedCard, key: str, *,
                       automatic: bool) -> Payment:
    """The payment row for this charge: the one a previous attempt wrote under the same key,
    or a new PROCESSING one. A failed attempt with this card is tried again (Stripe answers a
    repeated key with its first answer within 24 hours, later it charges anew)."""
    try:
        async with in_transaction():
            payment = await Payment.get_or_none(stripe_idempotency_key=key)
            if payment is None:
                payment = await Payment.create(
                    session_id=session.id, settles_session_id=session.id,
                    professional_id=session.professional_id, client_id=session.client_id,
                    amount=session.price_amount, currency=session.currency,
                    vat_rate_basis_points=session.vat_rate_basis_points,
                    status=PaymentStatus.PROCESSING, method=PaymentMethodKind.CARD,
                    card_brand=card.brand, card_last4=card.last4,
                    stripe_idempotency_key=key,
                    recorded_by_id=None if automatic or not caller.account
                    else caller.account.id,
                )
                await audit.record(caller, "auto_charge_session" if automatic
                                   else "charge_session", subject_type="payment",
                                   subject_id=payment.id, person_id=session.client_id)
            elif payment.status is PaymentStatus.FAILED:
                await Payment.filter(id=payment.id, status=PaymentStatus.FAILED).update(
                    status=PaymentStatus.PROCESSING, settles_session_id=session.id)
                payment.status = PaymentStatus.PROCESSING
    except IntegrityError:
        raise fail(ALREADY_PAID_MESSAGE, ErrorCode.ALREADY_PAID, "sessionId") from None
    return payment


async def apply_charge_result(payment: Payment, result: ChargeResult) -> None:
    """Record Stripe's answer; conditional on the payment still being unsettled, so a webhook
    that got there first is not overwritten."""
    intent = {"stripe_payment_intent_id": result.payment_intent_id} \
        if result.payment_intent_id else {}
    async with in_transaction():
        if result.outcome == "succeeded":
            await mark_paid(payment.id, payment.professional_id, **intent)
        elif result.outcome == "requires_action":
            await Payment.filter(id=payment.id, status__in=list(UNSETTLED)).update(
                status=PaymentStatus.REQUIRES_ACTION, client_secret=result.client_secret,
                **intent)
        elif result.outcome == "processing":
            await Payment.filter(id=payment.id, status__in=list(UNSETTLED)).update(**intent)
        else:
            await _fail(payment, code=result.decline_code or result.failure_code or "declined",
                        message=result.failure_message or "The card was declined.", **intent)


async def _fail(payment: Payment, *, code: str, message: str, **changes: object) -> None:
    await Payment.filter(id=payment.id, status__in=list(UNSETTLED)).update(
        status=PaymentStatus.FAILED, settles_session_id=None, client_secret=None,
        failure_code=code[:64], failure_message=message, **changes)
