"""Indexes on the foreign keys and the rules of amounts (migrations/invariants.py)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

from migrations.invariants import checks

class Migration(migrations.Migration):
    dependencies = [('accounts', '0002_known_devices_and_rate_limits'), ('payments', '0001_initial'), ('scheduling', '0002_session_cancellation_window')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Payment',
            index=Index(fields=['session_id']),
        ),
        ops.AddIndex(
            model_name='Payment',
            index=Index(fields=['recorded_by_id']),
        ),
        ops.AddIndex(
            model_name='PaymentRefund',
            index=Index(fields=['payment_id']),
        ),
        ops.AddIndex(
            model_name='PaymentRefund',
            index=Index(fields=['created_by_id']),
        ),
        ops.RunPython(checks("payment", {
            "payment_amount_not_negative": "amount >= 0",
            "payment_refunded_amount_within_amount":
                "refunded_amount >= 0 AND refunded_amount <= amount",
            "payment_vat_rate_in_range": "vat_rate_basis_points BETWEEN 0 AND 10000",
        })),
        ops.RunPython(checks("payment_refund", {
            "payment_refund_amount_positive": "amount > 0",
        })),
        ops.RunPython(checks("receipt_counter", {
            "receipt_counter_not_negative": "last_number >= 0",
        })),
    ]
