from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('notes', '0002_note'), ('scheduling', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RetiredNoteKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key_version', fields.IntField()),
                ('public_key', fields.BinaryField()),
                ('recovery_wrapped', fields.BinaryField()),
                ('key_created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('retired_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'retired_note_key', 'app': 'notes', 'unique_together': (('account', 'key_version'),), 'pk_attr': 'id', 'table_description': 'A key pair replaced by a password reset without its recovery key, kept for that key.'},
            bases=['Model'],
        ),
    ]
