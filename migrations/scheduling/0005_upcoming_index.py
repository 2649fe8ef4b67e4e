"""The client's sessions by end: the hub's upcoming sessions (booked, not ended) read the few
ahead of now instead of scanning the client's whole history."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0007_external_identities'), ('practice', '0005_service_details_purpose'), ('scheduling', '0004_progress_rollup')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['client_id', 'ends_at']),
        ),
    ]
