"""Payments in the API: a payment for a session, its refunds, and a saved card."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from models import payments as m
from resolvers.payments import payments, receipt_links
from resolvers.payments.payment_queries import Total
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.ids import GLOBAL_ID, global_id, visible_nodes
from schema.practice.practice_types import Money
from schema.scheduling.session_types import Session

described_enum(m.PaymentStatus, {
    m.PaymentStatus.PROCESSING: "Sent to the card processor and not settled yet; the status "
                                "changes by itself (refetch or listen), or cancelPayment stops "
                                "it.",
    m.PaymentStatus.REQUIRES_ACTION: "The client's bank wants them to confirm the payment in "
                                     "the SPA with clientSecret (Stripe.js).",
    m.PaymentStatus.PAID: "Paid; if refunded is set, partly refunded. Has a receiptUrl.",
    m.PaymentStatus.FAILED: "Not paid: declined (see failureMessage) or cancelled (failureCode "
                            "canceled); the session can be charged again or paid manually.",
    m.PaymentStatus.REFUNDED: "Refunded in full.",
}, name="PaymentStatus", description="Where a payment stands: waiting, paid, failed or refunded.")
PaymentStatus = m.PaymentStatus
described_enum(m.PaymentMethodKind, {
    m.PaymentMethodKind.CARD: "The client's card on file, charged through Stripe.",
    m.PaymentMethodKind.CASH: "Cash, recorded by hand by the professional.",
    m.PaymentMethodKind.BANK_TRANSFER: "A bank transfer, recorded by hand by the professional.",
    m.PaymentMethodKind.INSURER: "Paid by an insurer or employer, recorded by hand by the "
                                 "professional.",
}, name="PaymentMethod", description="How a payment was made: CARD through Stripe, the others "
                                     "recorded by hand with recordManualPayment.")
PaymentMethod = m.PaymentMethodKind


@strawberry.type(description="A card as the client and receipts see it: never the number.")
class CardSummary:
    brand: str = strawberry.field(description="Stripe's name: visa, mastercard, amex...")
    last4: str = strawberry.field(description="The card number's last four digits.")


@strawberry.type(description="The signed-in person's card on file.")
class SavedCard:
    brand: str = strawberry.field(description="Stripe's name: visa, mastercard, amex...")
    last4: str = strawberry.field(description="The card number's last four digits.")
    exp_month: int = strawberry.field(description="Expiry month, 1-12.")
    exp_year: int = strawberry.field(description="Expiry year, four digits.")

    @classmethod
    def of(cls, card: m.SavedCard) -> Self:
        return cls(brand=card.brand, last4=card.last4, exp_month=card.exp_month or 0,
                   exp_year=card.exp_year or 0)


@strawberry.type(description="Money given back.")
class PaymentRefund:
    amount: Money = strawberry.field(description="How much was given back.")
    created_at: datetime = strawberry.field(description="When the refund was made (UTC).")


@strawberry.type(description="Paid and refunded sums in one currency (never added across "
                             "currencies).")
class PaymentTotal:
    paid: Money = strawberry.field(description="Paid minus refunded.")
    refunded: Money = strawberry.field(description="The sum given back.")
    count: int = strawberry.field(description="How many payments were paid.")

    @classmethod
    def of(cls, total: Total) -> Self:
        return cls(paid=Money(amount=total.paid, currency=total.currency),
                   refunded=Money(amount=total.refunded, currency=total.currency),
                   count=total.count)


@strawberry.type(description="One attempt to pay for a session; seen by its client and its "
                             "professional only.")
class Payment(relay.Node):
    payment_id: relay.NodeID[str]
    id: strawberry.ID = strawberry.field(description=GLOBAL_ID)
    amount: Money = strawberry.field(description="VAT included.")
    refunded: Money = strawberry.field(description="Refunded so far (0 when none).")
    vat_rate_basis_points: int = strawberry.field(
        description="VAT included in the amount, in hundredths of a percent (2400 is 24 %).")
    status: PaymentStatus = strawberry.field(
        description="Where the payment stands; only PAID payments have a receipt.")
    method: PaymentMethod = strawberry.field(
        description="How it was paid: by card through the app, or recorded by the professional.")
    card: CardSummary | None = strawberry.field(description="For CARD payments.")
    receipt_number: int | None = strawberry.field(
        description="Sequential per professional, without gaps; set once the payment is paid."
    )
    failure_code: str | None = strawberry.field(
        description="If FAILED: Stripe's decline code, or canceled after cancelPayment."
    )
    failure_message: str | None = strawberry.field(
        description="Why it failed, in Stripe's words for the cardholder."
    )
    created_at: datetime = strawberry.field(description="When the attempt was made (UTC).")
    paid_at: datetime | None = strawberry.field(
        description="When the money arrived (UTC); null until PAID.")
    _model: strawberry.Private[m.Payment]

    @classmethod
    def of(cls, payment: m.Payment) -> Self:
        card = (CardSummary(brand=payment.card_brand, last4=payment.card_last4)
                if payment.method is m.PaymentMethodKind.CARD and payment.card_last4 else None)
        return cls(
            payment_id=str(payment.id), id=global_id("Payment", payment.id),
            amount=Money(amount=payment.amount, currency=payment.currency),
            refunded=Money(amount=payment.refunded_amount, currency=payment.currency),
            vat_rate_basis_points=payment.vat_rate_basis_points, status=payment.status,
            method=payment.method, card=card, receipt_number=payment.receipt_number,
            failure_code=payment.failure_code or None,
            failure_message=payment.failure_message or None,
            created_at=payment.created_at, paid_at=payment.paid_at, _model=payment,
        )

    @classmethod
    def list_of(cls, found: Iterable[m.Payment]) -> list[Payment]:
        return [cls.of(payment) for payment in found]

    @strawberry.field(description="A short-lived signed link to the receipt PDF that a plain "
                                  "browser tab can open; for the client and the professional, "
                                  "once paid. Ask again for a fresh link when it has expired.")
    def receipt_url(self, info: Info) -> str | None:
        caller = info.context.caller
        return receipt_links.receipt_url(caller.settings, self._model, caller.account)

    @strawberry.field(description="For the client only, while REQUIRES_ACTION: pass it to "
                                  "stripe.confirmCardPayment in the SPA.")
    def client_secret(self, info: Info) -> str | None:
        account = info.context.caller.account
        if account is None or account.id != self._model.client_id:
            return None
        if self._model.status is not m.PaymentStatus.REQUIRES_ACTION:
            return None
        return self._model.client_secret

    @strawberry.field(description="Every refund of this payment, oldest first; empty when none.")
    async def refunds(self, info: Info) -> list[PaymentRefund]:
        found = await info.context.loaders.refunds.load(self._model.id)
        return [PaymentRefund(amount=Money(amount=r.amount, currency=self._model.currency),
                              created_at=r.created_at) for r in found]

    @strawberry.field(description="The session paid for.")
    async def session(self, info: Info) -> Session:
        return Session.of(await self._model.session, info.context.viewpoint, info.context.loaders)

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the payment's client and professional see it."""
        viewer = info.context.caller.account
        return await visible_nodes(
            node_ids, lambda ids: payments.visible_payments(viewer, ids), cls.of)
