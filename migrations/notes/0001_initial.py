from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ChallengeNoteKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('challenge', fields.OneToOneField('accounts.SecondFactorChallenge', source_field='challenge_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key_version', fields.IntField()),
                ('wrapped', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'challenge_note_key', 'app': 'notes', 'pk_attr': 'id', 'table_description': 'The private key between a correct password and a correct second factor.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProfessionalKeys',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.OneToOneField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key_version', fields.IntField(default=1)),
                ('public_key', fields.BinaryField()),
                ('password_wrapped', fields.BinaryField()),
                ('password_salt', fields.BinaryField()),
                ('kdf_ops_limit', fields.IntField()),
                ('kdf_mem_limit', fields.BigIntField()),
                ('recovery_wrapped', fields.BinaryField()),
                ('key_created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('password_wrapped_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'professional_keys', 'app': 'notes', 'pk_attr': 'id', 'table_description': 'One per professional: the public key in the clear, the private key only wrapped.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionNoteKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('login_session', fields.OneToOneField('accounts.LoginSession', source_field='login_session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key_version', fields.IntField()),
                ('wrapped', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'session_note_key', 'app': 'notes', 'pk_attr': 'id', 'table_description': 'The private key for one login session, wrapped under a key derived from its token.'},
            bases=['Model'],
        ),
    ]
