from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


# The values as they were when this migration was written, copied rather than imported
# from models/, so renaming an enum there cannot break a fresh migrate.
class DataExportStatus(StrEnum):
    PENDING = "pending"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"

class Migration(migrations.Migration):
    dependencies = [('accounts', '0005_audit_chain')]

    initial = True

    operations = [
        ops.CreateModel(
            name='DataExport',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='data_exports', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=DataExportStatus.PENDING, description='PENDING: pending\nBUILDING: building\nREADY: ready\nFAILED: failed\nEXPIRED: expired', enum_type=DataExportStatus, max_length=16)),
                ('address', fields.CharField(default='', max_length=64)),
                ('pending_note_key', fields.BinaryField(null=True)),
                ('pending_note_key_version', fields.IntField(null=True)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('token_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('blob', fields.BinaryField(null=True)),
                ('size_bytes', fields.BigIntField(null=True)),
                ('failure', fields.CharField(default='', max_length=300)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('ready_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('downloaded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'data_export', 'app': 'privacy', 'indexes': [Index(fields=['account_id', 'requested_at']), Index(fields=['status', 'requested_at'])], 'pk_attr': 'id', 'table_description': "One export of a person's data, built in the background and downloaded through a link."},
            bases=['Model'],
        ),
    ]
