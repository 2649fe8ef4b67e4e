"""The account links, moved here from the practice app: the table already exists."""

from enum import StrEnum

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from uuid import uuid4

from migrations.state_only import StateOnly


class LinkPurpose(StrEnum):
    CONFIRM_EMAIL = 'confirm_email'
    RESET_PASSWORD = 'reset_password'


class Migration(migrations.Migration):
    dependencies = [('accounts', '0003_invariants'), ('practice', '0004_account_link_to_accounts')]

    initial = False

    operations = [
        StateOnly(ops.CreateModel(
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
            options={'table': 'account_link', 'app': 'accounts', 'indexes': [Index(fields=['account_id', 'purpose'])], 'pk_attr': 'id', 'table_description': "A link sent by email. Only the token's hash is stored, the link exists only in the email."},
            bases=['Model'],
        )),
    ]
