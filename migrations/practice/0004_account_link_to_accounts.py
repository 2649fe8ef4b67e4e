"""The account links move to the accounts app; the `account_link` table and its rows stay."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from migrations.state_only import StateOnly

class Migration(migrations.Migration):
    dependencies = [('practice', '0003_invariants')]

    initial = False

    operations = [
        StateOnly(ops.DeleteModel(name='AccountLink')),
    ]
