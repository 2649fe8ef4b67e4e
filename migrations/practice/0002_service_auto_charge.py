from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('practice', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Service',
            name='auto_charge',
            field=fields.BooleanField(default=False),
        ),
    ]
