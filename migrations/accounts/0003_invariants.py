"""Indexes on the foreign keys that had none (issue 12)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0002_known_devices_and_rate_limits')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='KnownDevice',
            index=Index(fields=['account_id']),
        ),
        ops.AddIndex(
            model_name='LoginSession',
            index=Index(fields=['account_id']),
        ),
        ops.AddIndex(
            model_name='SecondFactorChallenge',
            index=Index(fields=['account_id']),
        ),
    ]
