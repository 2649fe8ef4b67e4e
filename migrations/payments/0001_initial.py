from enum import StrEnum

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


# The values as they were when this migration was written, copied rather than imported
# from models/, so renaming an enum there cannot break a fresh migrate.
class PaymentMethodKind(StrEnum):
    CARD = 'card'
    CASH = 'cash'
    BANK_TRANSFER = 'bank_transfer'
    INSURER = 'insurer'


class PaymentStatus(StrEnum):
    PROCESSING = 'processing'
    REQUIRES_ACTION = 'requires_action'
    PAID = 'paid'
    FAILED = 'failed'
    REFUNDED = 'refunded'


class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('scheduling', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('scheduling.Session', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('settles_session_id', fields.UUIDField(null=True, unique=True)),
                ('professional', fields.ForeignKeyField('accounts.Account', source_field='professional_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('client', fields.ForeignKeyField('accounts.Account', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('amount', fields.BigIntField()),
                ('currency', fields.CharField(max_length=3)),
                ('vat_rate_basis_points', fields.IntField(default=0)),
                ('refunded_amount', fields.BigIntField(default=0)),
                ('status', fields.CharEnumField(description='PROCESSING: processing\nREQUIRES_ACTION: requires_action\nPAID: paid\nFAILED: failed\nREFUNDED: refunded', enum_type=PaymentStatus, max_length=16)),
                ('method', fields.CharEnumField(description='CARD: card\nCASH: cash\nBANK_TRANSFER: bank_transfer\nINSURER: insurer', enum_type=PaymentMethodKind, max_length=16)),
                ('card_brand', fields.CharField(default='', max_length=32)),
                ('card_last4', fields.CharField(default='', max_length=4)),
                ('stripe_idempotency_key', fields.CharField(null=True, unique=True, max_length=255)),
                ('stripe_payment_intent_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('client_secret', fields.CharField(null=True, max_length=255)),
                ('failure_code', fields.CharField(default='', max_length=64)),
                ('failure_message', fields.TextField(default='', unique=False)),
                ('receipt_number', fields.IntField(null=True)),
                ('recorded_by', fields.ForeignKeyField('accounts.Account', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'payment', 'app': 'payments', 'unique_together': (('professional', 'receipt_number'),), 'indexes': [Index(fields=['client_id', 'created_at']), Index(fields=['professional_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One attempt to pay for one session: by card through Stripe, or recorded by hand.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PaymentRefund',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('payment', fields.ForeignKeyField('payments.Payment', source_field='payment_id', db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.CASCADE)),
                ('amount', fields.BigIntField()),
                ('stripe_refund_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('created_by', fields.ForeignKeyField('accounts.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'payment_refund', 'app': 'payments', 'pk_attr': 'id', 'table_description': 'Money given back, in full or in part.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcessedEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=255)),
                ('event_type', fields.CharField(max_length=100)),
                ('processed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'processed_event', 'app': 'payments', 'pk_attr': 'id', 'table_description': 'A Stripe webhook event already applied: inserted first, in the transaction of its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceiptCounter',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('professional', fields.OneToOneField('accounts.Account', source_field='professional_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('last_number', fields.IntField(default=0)),
            ],
            options={'table': 'receipt_counter', 'app': 'payments', 'pk_attr': 'id', 'table_description': 'The last receipt number a professional issued. Numbers come from a conditional'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SavedCard',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.OneToOneField('accounts.Account', source_field='account_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('stripe_customer_id', fields.CharField(unique=True, max_length=255)),
                ('payment_method_id', fields.CharField(null=True, max_length=255)),
                ('brand', fields.CharField(default='', max_length=32)),
                ('last4', fields.CharField(default='', max_length=4)),
                ('exp_month', fields.SmallIntField(null=True)),
                ('exp_year', fields.SmallIntField(null=True)),
                ('card_event_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'saved_card', 'app': 'payments', 'pk_attr': 'id', 'table_description': "A client's Stripe customer and the card kept on file: brand, last four digits, expiry,"},
            bases=['Model'],
        ),
    ]
