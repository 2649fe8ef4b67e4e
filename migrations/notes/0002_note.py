from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('notes', '0001_initial'), ('scheduling', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Note',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('author', fields.ForeignKeyField('accounts.Account', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('accounts.Account', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('session', fields.ForeignKeyField('scheduling.Session', source_field='session_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('about_date', fields.DateField()),
                ('sealed', fields.BinaryField()),
                ('key_version', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'note', 'app': 'notes', 'indexes': [Index(fields=['author_id', 'client_id', 'about_date']), Index(fields=['author_id', 'key_version'])], 'pk_attr': 'id', 'table_description': "A professional's note about a client, sealed so that only its author can read it."},
            bases=['Model'],
        ),
    ]
