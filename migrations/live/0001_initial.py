from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


# The values as they were when this migration was written, copied rather than imported
# from models/, so renaming an enum there cannot break a fresh migrate.
class ParticipantRole(StrEnum):
    CLIENT = 'client'
    PROFESSIONAL = 'professional'


class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('scheduling', '0002_session_cancellation_window')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CallParticipant',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('scheduling.Session', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='CLIENT: client\nPROFESSIONAL: professional', enum_type=ParticipantRole, max_length=16)),
                ('device_public_key', fields.CharField(max_length=64)),
                ('first_joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rate_window', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rate_count', fields.IntField(default=0)),
            ],
            options={'table': 'live_participant', 'app': 'live', 'unique_together': (('session', 'account'),), 'pk_attr': 'id', 'table_description': "One participant's attendance of one session: one row per session and account."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Signal',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('scheduling.Session', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('sender_id', fields.UUIDField()),
                ('recipient_id', fields.UUIDField()),
                ('payload', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'live_signal', 'app': 'live', 'indexes': [Index(fields=['session_id', 'recipient_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A sealed blob waiting for its recipient: deleted when delivered, or after it expires.'},
            bases=['Model'],
        ),
    ]
