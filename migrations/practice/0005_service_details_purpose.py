from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0006_erased_at'), ('practice', '0001_initial'), ('practice', '0002_service_auto_charge'), ('practice', '0003_invariants'), ('practice', '0004_account_link_to_accounts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Service',
            name='details_purpose',
            field=fields.TextField(default='', unique=False),
        ),
    ]
