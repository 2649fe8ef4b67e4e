from enum import StrEnum

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


# The values as they were when this migration was written, copied rather than imported
# from models/, so renaming an enum there cannot break a fresh migrate.
class ExceptionKind(StrEnum):
    OPEN = 'open'
    CLOSED = 'closed'


class SessionStatus(StrEnum):
    SCHEDULED = 'scheduled'
    COMPLETED = 'completed'
    CANCELLED = 'cancelled'
    LATE_CANCELLED = 'late_cancelled'
    NO_SHOW = 'no_show'


_LIVE = "('scheduled', 'completed', 'no_show')"


async def _no_overlap_on_postgres(apps, schema_editor) -> None:
    """Two live sessions of one professional (or one client) can never overlap, however many
    app processes book at once. PostgreSQL only: SQLite gets the same guarantee from its
    single writer and the conditional insert in resolvers (docs/scheduling.md)."""
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    statements = ["CREATE EXTENSION IF NOT EXISTS btree_gist"]
    for column in ("professional_id", "client_id"):
        statements.append(
            f'ALTER TABLE "scheduling_session" ADD CONSTRAINT "session_{column[:-3]}_no_overlap" '
            f'EXCLUDE USING gist ("{column}" WITH =, '
            f'tstzrange("starts_at", "ends_at", \'[)\') WITH &&) WHERE ("status" IN {_LIVE})'
        )
    for statement in statements:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('practice', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='AvailabilityException',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('professional', fields.ForeignKeyField('accounts.Account', source_field='professional_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('kind', fields.CharEnumField(description='OPEN: open\nCLOSED: closed', enum_type=ExceptionKind, max_length=8)),
                ('start_minute', fields.SmallIntField(null=True)),
                ('end_minute', fields.SmallIntField(null=True)),
            ],
            options={'table': 'availability_exception', 'app': 'scheduling', 'indexes': [Index(fields=['professional_id', 'day'])], 'pk_attr': 'id', 'table_description': 'A dated change to the weekly hours: a day (or part of one) off, or extra hours.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AvailabilitySettings',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('professional', fields.OneToOneField('accounts.Account', source_field='professional_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('time_zone', fields.CharField(max_length=64)),
                ('buffer_minutes', fields.IntField(default=0)),
                ('slot_step_minutes', fields.IntField(null=True)),
                ('horizon_days', fields.IntField(default=90)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'availability_settings', 'app': 'scheduling', 'pk_attr': 'id', 'table_description': "A professional's practice hours settings, in the practice's own time zone (kept apart"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarFeed',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_fetched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'calendar_feed', 'app': 'scheduling', 'pk_attr': 'id', 'table_description': 'A secret iCalendar URL of one account. Only a keyed hash of its token is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionSeries',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('engagement', fields.ForeignKeyField('practice.Engagement', source_field='engagement_id', db_constraint=True, to_field='id', related_name='series', on_delete=OnDelete.RESTRICT)),
                ('every_weeks', fields.SmallIntField()),
                ('count', fields.SmallIntField(null=True)),
                ('until', fields.DateField(null=True)),
                ('created_by', fields.ForeignKeyField('accounts.Account', source_field='created_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'session_series', 'app': 'scheduling', 'pk_attr': 'id', 'table_description': 'A recurring booking, so the app can show "weekly, 10 sessions" and cancel onward.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('engagement', fields.ForeignKeyField('practice.Engagement', source_field='engagement_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.RESTRICT)),
                ('professional', fields.ForeignKeyField('accounts.Account', source_field='professional_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('client', fields.ForeignKeyField('accounts.Account', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=SessionStatus.SCHEDULED, description='SCHEDULED: scheduled\nCOMPLETED: completed\nCANCELLED: cancelled\nLATE_CANCELLED: late_cancelled\nNO_SHOW: no_show', enum_type=SessionStatus, max_length=16)),
                ('length_minutes', fields.IntField()),
                ('price_amount', fields.BigIntField()),
                ('currency', fields.CharField(max_length=3)),
                ('vat_rate_basis_points', fields.IntField(default=0)),
                ('series', fields.ForeignKeyField('scheduling.SessionSeries', source_field='series_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.SET_NULL)),
                ('sequence', fields.IntField(default=0)),
                ('booked_by', fields.ForeignKeyField('accounts.Account', source_field='booked_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_by', fields.ForeignKeyField('accounts.Account', source_field='cancelled_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('cancellation_reason_sealed', fields.BinaryField(null=True)),
                ('professional_joined_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('client_joined_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminder_due_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'scheduling_session', 'app': 'scheduling', 'indexes': [Index(fields=['professional_id', 'starts_at']), Index(fields=['client_id', 'starts_at']), Index(fields=['engagement_id', 'starts_at'])], 'pk_attr': 'id', 'table_description': 'One appointment of a client with a professional, for one engagement.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionStatusChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('scheduling.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharEnumField(null=True, description='SCHEDULED: scheduled\nCOMPLETED: completed\nCANCELLED: cancelled\nLATE_CANCELLED: late_cancelled\nNO_SHOW: no_show', enum_type=SessionStatus, max_length=16)),
                ('to_status', fields.CharEnumField(description='SCHEDULED: scheduled\nCOMPLETED: completed\nCANCELLED: cancelled\nLATE_CANCELLED: late_cancelled\nNO_SHOW: no_show', enum_type=SessionStatus, max_length=16)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('changed_by', fields.ForeignKeyField('accounts.Account', source_field='changed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('reason_code', fields.CharField(default='', max_length=32)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'session_status_change', 'app': 'scheduling', 'indexes': [Index(fields=['session_id', 'at'])], 'pk_attr': 'id', 'table_description': 'Append-only history, written in the same transaction as the change.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WeeklyHours',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('professional', fields.ForeignKeyField('accounts.Account', source_field='professional_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('weekday', fields.SmallIntField()),
                ('start_minute', fields.SmallIntField()),
                ('end_minute', fields.SmallIntField()),
            ],
            options={'table': 'weekly_hours', 'app': 'scheduling', 'indexes': [Index(fields=['professional_id', 'weekday'])], 'pk_attr': 'id', 'table_description': 'One opening interval on a weekday, in minutes after local midnight (1440 = midnight at'},
            bases=['Model'],
        ),
        ops.RunPython(_no_overlap_on_postgres),
    ]
