from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('accounts', '0002_known_devices_and_rate_limits'), ('accounts', '0003_invariants'), ('accounts', '0004_account_link'), ('accounts', '0005_audit_chain'), ('accounts', '0006_erased_at')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ExternalIdentity',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='external_identities', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(max_length=64)),
                ('national_id_hash', fields.CharField(max_length=64)),
                ('national_id_encrypted', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'external_identity', 'app': 'accounts', 'unique_together': (('provider', 'national_id_hash'), ('account', 'provider')), 'pk_attr': 'id', 'table_description': 'An eID (OpenID Connect) identity linked to an account.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ExternalRegistration',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('provider', fields.CharField(max_length=64)),
                ('national_id_hash', fields.CharField(max_length=64)),
                ('national_id_encrypted', fields.BinaryField()),
                ('name', fields.CharField(max_length=200)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'external_registration', 'app': 'accounts', 'pk_attr': 'id', 'table_description': 'An eID proved by a person without an account, waiting for the email they register with.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ExternalSignInAttempt',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('state_hash', fields.CharField(unique=True, max_length=64)),
                ('provider', fields.CharField(max_length=64)),
                ('redirect_uri', fields.CharField(max_length=500)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='external_sign_in_attempts', on_delete=OnDelete.CASCADE)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'external_sign_in_attempt', 'app': 'accounts', 'indexes': [Index(fields=['account_id'])], 'pk_attr': 'id', 'table_description': 'One trip to an eID provider, from startExternalSignIn to its completion.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Account',
            name='has_password',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='LoginSession',
            name='strength',
            field=fields.CharField(default='password', max_length=16),
        ),
    ]
