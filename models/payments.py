"""Payments for sessions: saved cards, payments and refunds, receipt counters, Stripe events.

Money is integer ISO 4217 minor units plus the currency code (ISK has none: 15000 is
15.000 kr.); only the Stripe gateway converts to Stripe's own amounts.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class PaymentStatus(StrEnum):
    PROCESSING = "processing"
    """Sent to Stripe: the answer is not known yet (or Stripe settles it by webhook)."""
    REQUIRES_ACTION = "requires_action"
    """The bank wants the client to authenticate in the SPA."""
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"
    """Refunded in full; a partial refund leaves the payment PAID with refunded_amount set."""


class PaymentMethodKind(StrEnum):
    CARD = "card"
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    INSURER = "insurer"


class SavedCard(Model):
    """A client's Stripe customer and the card kept on file: brand, last four digits, expiry,
    never the number. The card fields stay empty until Stripe confirms the setup by webhook."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    account_id: UUID
    stripe_customer_id = fields.CharField(max_length=255, unique=True)
    payment_method_id = fields.CharField(max_length=255, null=True)
    brand = fields.CharField(max_length=32, default="")
    last4 = fields.CharField(max_length=4, default="")
    exp_month = fields.SmallIntField(null=True)
    exp_year = fields.SmallIntField(null=True)
    card_event_at = fields.DatetimeField(null=True)
    """When Stripe created the event that saved this card: an older event arriving later
    does not replace a newer card."""
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "saved_card"


class Payment(Model):
    """One attempt to pay for one session: by card through Stripe, or recorded by hand.

    `settles_session_id` equals the session id while the payment is in progress, paid or
    refunded, and is null once it failed: its unique index lets a session have one such
    payment however many requests race. `receipt_number` is assigned once, when the payment
    becomes paid, from the professional's ReceiptCounter in the same transaction.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "scheduling.Session", related_name=False, on_delete=fields.RESTRICT
    )
    session_id: UUID
    settles_session_id = fields.UUIDField(null=True, unique=True)
    professional: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.RESTRICT
    )
    professional_id: UUID
    client: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.RESTRICT
    )
    client_id: UUID
    amount = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    vat_rate_basis_points = fields.IntField(default=0)
    refunded_amount = fields.BigIntField(default=0)
    status = fields.CharEnumField(PaymentStatus, max_length=16)
    method = fields.CharEnumField(PaymentMethodKind, max_length=16)
    card_brand = fields.CharField(max_length=32, default="")
    card_last4 = fields.CharField(max_length=4, default="")
    stripe_idempotency_key = fields.CharField(max_length=255, null=True, unique=True)
    stripe_payment_intent_id = fields.CharField(max_length=255, null=True, unique=True)
    client_secret = fields.CharField(max_length=255, null=True)
    """Only while REQUIRES_ACTION, and shown only to the client."""
    failure_code = fields.CharField(max_length=64, default="")
    failure_message = fields.TextField(default="")
    receipt_number = fields.IntField(null=True)
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: UUID | None
    paid_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "payment"
        unique_together = (("professional", "receipt_number"),)
        indexes = (("client_id", "created_at"), ("professional_id", "created_at"), ("session_id",),
                   ("recorded_by_id",))


class PaymentRefund(Model):
    """Money given back, in full or in part."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    payment: fields.ForeignKeyRelation[Payment] = fields.ForeignKeyField(
        "payments.Payment", related_name="refunds", on_delete=fields.CASCADE
    )
    payment_id: UUID
    amount = fields.BigIntField()
    stripe_refund_id = fields.CharField(max_length=255, null=True, unique=True)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_refund"
        indexes = (("payment_id",), ("created_by_id",))


class ReceiptCounter(Model):
    """The last receipt number a professional issued. Numbers come from a conditional
    increment of this row inside the transaction that marks a payment paid, so they have no
    gaps and no duplicates (a rolled-back payment rolls its number back too)."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    professional: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    professional_id: UUID
    last_number = fields.IntField(default=0)

    class Meta:
        table = "receipt_counter"


class ProcessedEvent(Model):
    """A Stripe webhook event already applied: inserted first, in the transaction of its
    effect, so a replayed event changes nothing."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    event_id = fields.CharField(max_length=255, unique=True)
    event_type = fields.CharField(max_length=100)
    processed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "processed_event"
