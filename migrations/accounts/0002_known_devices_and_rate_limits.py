from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KnownDevice',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='known_devices', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('failed_attempts', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'known_device', 'app': 'accounts', 'pk_attr': 'id', 'table_description': "A browser that signed in to this account before (OWASP's device cookie)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateLimitEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('key_hash', fields.CharField(db_index=True, max_length=64)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rate_limit_event', 'app': 'accounts', 'pk_attr': 'id', 'table_description': 'One counted action, under the keyed hash of what it is counted against.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='SecondFactorChallenge',
            name='known_device_id',
            field=fields.UUIDField(null=True),
        ),
        ops.DeleteModel(name='LoginFailure'),
    ]
