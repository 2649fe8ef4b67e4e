"""Indexes on the foreign keys that had none (issue 12)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0002_known_devices_and_rate_limits'), ('notes', '0003_retired_note_key'), ('scheduling', '0002_session_cancellation_window')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ChallengeNoteKey',
            index=Index(fields=['account_id']),
        ),
        ops.AddIndex(
            model_name='Note',
            index=Index(fields=['client_id']),
        ),
        ops.AddIndex(
            model_name='Note',
            index=Index(fields=['session_id']),
        ),
        ops.AddIndex(
            model_name='SessionNoteKey',
            index=Index(fields=['account_id']),
        ),
    ]
