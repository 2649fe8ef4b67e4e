from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('scheduling', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Session',
            name='cancellation_window_hours',
            field=fields.SmallIntField(default=24, db_default=24),
        ),
    ]
