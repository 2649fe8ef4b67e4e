"""Indexes on the foreign keys and the rules of a service's terms (migrations/invariants.py)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

from migrations.invariants import checks

class Migration(migrations.Migration):
    dependencies = [('accounts', '0002_known_devices_and_rate_limits'), ('practice', '0002_service_auto_charge')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Engagement',
            index=Index(fields=['client_id']),
        ),
        ops.AddIndex(
            model_name='Engagement',
            index=Index(fields=['service_id']),
        ),
        ops.AddIndex(
            model_name='Engagement',
            index=Index(fields=['invitation_id']),
        ),
        ops.AddIndex(
            model_name='Invitation',
            index=Index(fields=['service_id']),
        ),
        ops.AddIndex(
            model_name='Invitation',
            index=Index(fields=['accepted_by_id']),
        ),
        ops.AddIndex(
            model_name='Service',
            index=Index(fields=['professional_id']),
        ),
        ops.RunPython(checks("service", {
            "service_price_not_negative": "price_amount >= 0",
            "service_session_minutes_positive": "session_minutes > 0",
            "service_vat_rate_in_range": "vat_rate_basis_points BETWEEN 0 AND 10000",
            "service_cancellation_window_not_negative": "cancellation_window_hours >= 0",
        })),
    ]
