from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from enum import StrEnum

from tortoise import fields


# Copied rather than imported from models/, so renaming the enum there cannot break a migrate.
class LegalDocument(StrEnum):
    TERMS = 'terms'
    PRIVACY_NOTICE = 'privacy_notice'


class Migration(migrations.Migration):
    dependencies = [('accounts', '0005_audit_chain')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('document', fields.CharEnumField(description='TERMS: terms\nPRIVACY_NOTICE: privacy_notice', enum_type=LegalDocument, max_length=16)),
                ('version', fields.CharField(max_length=64)),
                ('accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consent', 'app': 'consent', 'unique_together': (('account', 'document', 'version'),), 'pk_attr': 'id', 'table_description': 'One acceptance of one version of one document, never changed: the history is the proof.'},
            bases=['Model'],
        ),
    ]
