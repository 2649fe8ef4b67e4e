"""What the payment gateway answers: frozen plain values, amounts in our minor units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

ChargeOutcome = Literal["succeeded", "requires_action", "processing", "failed"]


@dataclass(frozen=True)
class CardSetup:
    """What the SPA needs to collect a card with Stripe Elements (`stripe.confirmCardSetup`)."""

    customer_id: str
    setup_intent_id: str
    client_secret: str


@dataclass(frozen=True)
class CardDetails:
    payment_method_id: str
    customer_id: str | None
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class ChargeResult:
    """The outcome of charging a saved card.

    - succeeded: the money is taken.
    - requires_action: the bank wants the client to authenticate; the SPA (signed in as the
      client, never the professional) passes `client_secret` to `stripe.confirmCardPayment`.
    - processing: Stripe will settle it by webhook (payment_intent.succeeded / payment_failed).
    - failed: declined; `failure_message` is Stripe's text, written to be shown to the client.
    """

    outcome: ChargeOutcome
    payment_intent_id: str | None
    amount_minor: int
    currency: str
    client_secret: str | None = None
    failure_code: str | None = None
    decline_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    status: str  # succeeded, pending, requires_action, failed or canceled (Stripe's)
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    created: datetime
    livemode: bool
    data_object: dict[str, Any]
    """The event's `data.object`: the SetupIntent, PaymentIntent... as Stripe sent it."""
