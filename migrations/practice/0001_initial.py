from enum import StrEnum

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


# The values as they were when this migration was written, copied rather than imported
# from models/, so renaming an enum there cannot break a fresh migrate.
class LinkPurpose(StrEnum):
    CONFIRM_EMAIL = 'confirm_email'
    RESET_PASSWORD = 'reset_password'


class EngagementSide(StrEnum):
    CLIENT = 'client'
    PROFESSIONAL = 'professional'


class EngagementSource(StrEnum):
    INVITATION = 'invitation'
    REQUEST = 'request'


class EngagementStatus(StrEnum):
    REQUESTED = 'requested'
    ACTIVE = 'active'
    DECLINED = 'declined'
    ENDED = 'ended'


class ServiceKind(StrEnum):
    PSYCHOLOGY = 'psychology'
    PHYSIOTHERAPY = 'physiotherapy'
    CAREER_COUNSELLING = 'career_counselling'
    COACHING = 'coaching'
    OTHER = 'other'


class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='AccountLink',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharEnumField(description='CONFIRM_EMAIL: confirm_email\nRESET_PASSWORD: reset_password', enum_type=LinkPurpose, max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('email', fields.CharField(max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_link', 'app': 'practice', 'indexes': [Index(fields=['account_id', 'purpose'])], 'pk_attr': 'id', 'table_description': "A link sent by email. Only the token's hash is stored, the link exists only in the email."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProfessionalProfile',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.OneToOneField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='professional_profile', on_delete=OnDelete.CASCADE)),
                ('display_name', fields.CharField(max_length=200)),
                ('profession', fields.CharField(default='', max_length=200)),
                ('practice_name', fields.CharField(default='', max_length=200)),
                ('registration_number', fields.CharField(default='', max_length=64)),
                ('vat_number', fields.CharField(default='', max_length=64)),
                ('contact_email', fields.CharField(default='', max_length=254)),
                ('contact_phone', fields.CharField(default='', max_length=32)),
                ('time_zone', fields.CharField(default='UTC', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'professional_profile', 'app': 'practice', 'pk_attr': 'id', 'table_description': 'What clients and receipts show about a professional, one per professional account.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Service',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('professional', fields.ForeignKeyField('practice.ProfessionalProfile', source_field='professional_id', db_constraint=True, to_field='id', related_name='services', on_delete=OnDelete.CASCADE)),
                ('slug', fields.CharField(unique=True, max_length=64)),
                ('title', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='PSYCHOLOGY: psychology\nPHYSIOTHERAPY: physiotherapy\nCAREER_COUNSELLING: career_counselling\nCOACHING: coaching\nOTHER: other', enum_type=ServiceKind, max_length=32)),
                ('description', fields.TextField(default='', unique=False)),
                ('session_minutes', fields.IntField()),
                ('price_amount', fields.BigIntField()),
                ('currency', fields.CharField(max_length=3)),
                ('vat_rate_basis_points', fields.IntField(default=0)),
                ('self_booking', fields.BooleanField(default=False)),
                ('cancellation_window_hours', fields.IntField(default=24)),
                ('card_required', fields.BooleanField(default=False)),
                ('required_details', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('custom_questions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('archived_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'service', 'app': 'practice', 'pk_attr': 'id', 'table_description': 'Something a professional offers. The slug never changes, so shared links keep working.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('service', fields.ForeignKeyField('practice.Service', source_field='service_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('name', fields.CharField(max_length=200)),
                ('message', fields.TextField(default='', unique=False)),
                ('locale', fields.CharField(default='en', max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('send_count', fields.IntField(default=1)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('accepted_by', fields.ForeignKeyField('accounts.Account', source_field='accepted_by_id', null=True, db_constraint=True, to_field='id', related_name='accepted_invitations', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invitation', 'app': 'practice', 'pk_attr': 'id', 'table_description': "A single-use link to one service for one email address. Only the token's hash is kept."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Engagement',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('client', fields.ForeignKeyField('accounts.Account', source_field='client_id', db_constraint=True, to_field='id', related_name='engagements', on_delete=OnDelete.CASCADE)),
                ('service', fields.ForeignKeyField('practice.Service', source_field='service_id', db_constraint=True, to_field='id', related_name='engagements', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='REQUESTED: requested\nACTIVE: active\nDECLINED: declined\nENDED: ended', enum_type=EngagementStatus, max_length=16)),
                ('source', fields.CharEnumField(description='INVITATION: invitation\nREQUEST: request', enum_type=EngagementSource, max_length=16)),
                ('invitation', fields.ForeignKeyField('practice.Invitation', source_field='invitation_id', null=True, db_constraint=True, to_field='id', related_name='engagements', on_delete=OnDelete.SET_NULL)),
                ('details_sealed', fields.BinaryField(null=True)),
                ('request_message', fields.TextField(default='', unique=False)),
                ('decline_reason', fields.TextField(default='', unique=False)),
                ('end_reason', fields.TextField(default='', unique=False)),
                ('ended_by', fields.CharEnumField(null=True, description='CLIENT: client\nPROFESSIONAL: professional', enum_type=EngagementSide, max_length=16)),
                ('requested_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('declined_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'engagement', 'app': 'practice', 'pk_attr': 'id', 'table_description': 'One client connected to one service.'},
            bases=['Model'],
        ),
        # One requested-or-active engagement per client and service. A partial unique index:
        # the same SQL on SQLite and PostgreSQL, and Tortoise's schema editor cannot make a
        # conditional unique constraint on SQLite. Declined and ended rows do not count, so a
        # declined client can ask again.
        ops.RunSQL(
            'CREATE UNIQUE INDEX "engagement_one_open_per_client_service" '
            'ON "engagement" ("client_id", "service_id") '
            "WHERE \"status\" IN ('requested', 'active')",
            reverse_sql='DROP INDEX "engagement_one_open_per_client_service"',
        ),
    ]
