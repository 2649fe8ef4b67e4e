"""Telling both sides' hubs that a payment settled: paid, failed (or cancelled), refunded in
part or in full (resolvers/core/account_events.py). Call inside the transaction of the change,
and only when it changed something: a webhook replay announces nothing."""

from __future__ import annotations

from typing import Literal

from gateways.events import Events
from models.payments import Payment
from resolvers.core import account_events

PaymentEventKind = Literal["payment_paid", "payment_failed", "payment_refunded"]


async def announce(events: Events, payment: Payment, kind: PaymentEventKind) -> None:
    await account_events.announce(events, (payment.client_id, payment.professional_id), kind,
                                  paymentId=payment.id)
