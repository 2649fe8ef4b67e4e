"""Progress totals per engagement, kept by triggers on the sessions (migrations/progress_rollup.py),
and the index their first and last attended starts are looked up through."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

from migrations.progress_rollup import create_triggers

class Migration(migrations.Migration):
    dependencies = [('accounts', '0005_audit_chain'), ('practice', '0001_initial'), ('practice', '0002_service_auto_charge'), ('practice', '0003_invariants'), ('practice', '0004_account_link_to_accounts'), ('scheduling', '0001_initial'), ('scheduling', '0002_session_cancellation_window'), ('scheduling', '0003_invariants')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EngagementProgress',
            fields=[
                ('engagement_id', fields.UUIDField(primary_key=True, unique=True, db_index=True)),
                ('attended', fields.IntField(default=0)),
                ('cancelled', fields.IntField(default=0)),
                ('late_cancelled', fields.IntField(default=0)),
                ('no_shows', fields.IntField(default=0)),
                ('scheduled', fields.IntField(default=0)),
                ('first_attended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_attended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'scheduling_engagement_progress', 'app': 'scheduling', 'pk_attr': 'engagement_id', 'table_description': "Running totals of an engagement's sessions, kept by database triggers on"},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['engagement_id', 'status', 'starts_at']),
        ),
        ops.RunPython(create_triggers),
    ]
