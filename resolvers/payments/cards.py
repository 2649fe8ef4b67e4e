"""A client's card on file: set up through Stripe Elements, saved by webhook, removed.

The card number never reaches us: the SPA hands it to Stripe.js with the SetupIntent's client
secret, and the `setup_intent.succeeded` webhook (resolvers/payments/stripe_webhooks.py) stores what
Stripe tells us about it: brand, last four digits, expiry. Stripe gets an opaque account id on
the customer and nothing else about the person.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from gateways.payment_errors import GatewayRejected, PaymentGatewayError
from gateways.payment_results import CardDetails
from gateways.stripe_gateway import StripeGateway
from models.accounts import Account
from models.payments import SavedCard
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, fail
from resolvers.payments.gateway_errors import DISABLED_MESSAGE, as_user_error
from settings import Settings


def require_card_payments(settings: Settings) -> None:
    if not settings.card_payments_enabled:
        raise fail(DISABLED_MESSAGE, ErrorCode.CARD_PAYMENTS_DISABLED)


async def start_card_setup(caller: Caller) -> str:
    """The client secret of a new SetupIntent for the signed-in person's Stripe customer
    (created the first time). Calling it again is harmless: each call starts a new setup, and
    only the one the client completes saves a card. Cards belong to clients, who pay their own
    sessions with them: an account in practitioner mode only has nothing to pay."""
    account = caller.require_account()
    require_card_payments(caller.settings)
    if not account.is_client:
        raise fail("Cards are saved by clients to pay for their sessions, and this account is "
                   "a professional's only. Your clients save their own cards; you charge "
                   "them with chargeSession.", ErrorCode.NOT_ALLOWED)
    existing = await SavedCard.get_or_none(account_id=account.id)
    try:
        async with StripeGateway(caller.settings) as gateway:
            customer_id = await gateway.ensure_customer(
                existing.stripe_customer_id if existing else None, account_id=str(account.id))
            if existing is None:
                await _remember_customer(account, customer_id)
            elif existing.stripe_customer_id != customer_id:
                await SavedCard.filter(id=existing.id).update(
                    stripe_customer_id=customer_id, payment_method_id=None, brand="", last4="",
                    exp_month=None, exp_year=None)
            setup = await gateway.create_setup_intent(customer_id)
    except PaymentGatewayError as error:
        raise as_user_error(error) from None
    return setup.client_secret


async def _remember_customer(account: Account, customer_id: str) -> None:
    """Two first setups at once create one Stripe customer (the gateway's idempotency key is
    the account) and so one row; the loser's insert is refused and changes nothing."""
    with contextlib.suppress(IntegrityError):
        await SavedCard.create(account_id=account.id, stripe_customer_id=customer_id)


async def my_card(caller: Caller) -> SavedCard | None:
    account = caller.require_account()
    return await SavedCard.get_or_none(account_id=account.id, payment_method_id__isnull=False)


async def remove_card(caller: Caller) -> None:
    """Detach the card at Stripe and forget it: later charges need a new one. The Stripe
    customer is kept (it holds no card any more), so a new setup reuses it."""
    account = caller.require_account()
    require_card_payments(caller.settings)
    card = await SavedCard.get_or_none(account_id=account.id, payment_method_id__isnull=False)
    if card is None or card.payment_method_id is None:
        raise fail("There is no card on file to remove.", ErrorCode.NOT_FOUND)
    try:
        async with StripeGateway(caller.settings) as gateway:
            await gateway.detach_payment_method(card.payment_method_id)
    except GatewayRejected:
        pass  # already detached or deleted at Stripe: nothing left to charge
    except PaymentGatewayError as error:
        raise as_user_error(error) from None
    await SavedCard.filter(id=card.id).update(payment_method_id=None, brand="", last4="",
                                              exp_month=None, exp_year=None)
    await audit.record(caller, "remove_card", subject_type="saved_card", subject_id=card.id,
                       person_id=account.id)


async def forget_at_stripe(settings: Settings, account: Account) -> None:
    """For an account being erased: its card detached and its Stripe customer (name, email)
    deleted at Stripe. Call before the erasure's transaction; safe to repeat (a card or customer
    already gone at Stripe is what we want). The row itself goes with the erasure."""
    card = await SavedCard.get_or_none(account_id=account.id)
    if card is None or not settings.card_payments_enabled:
        return
    try:
        async with StripeGateway(settings) as gateway:
            if card.payment_method_id is not None:
                with contextlib.suppress(GatewayRejected):
                    await gateway.detach_payment_method(card.payment_method_id)
            with contextlib.suppress(GatewayRejected):
                await gateway.delete_customer(card.stripe_customer_id)
    except PaymentGatewayError:
        raise fail("The card processor did not answer, so your card could not be deleted there "
                   "and nothing was deleted yet. Try again in a minute.",
                   ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE) from None


async def save_card(details: CardDetails, *, customer_id: str, event_created: datetime) -> int:
    """Store the card Stripe confirmed for this customer, unless a newer event already stored
    another one. Returns how many rows changed (0 or 1). Call inside the event's transaction."""
    return await SavedCard.filter(
        Q(card_event_at=None) | Q(card_event_at__lte=event_created),
        stripe_customer_id=customer_id,
    ).update(payment_method_id=details.payment_method_id, brand=details.brand,
             last4=details.last4, exp_month=details.exp_month, exp_year=details.exp_year,
             card_event_at=event_created)
