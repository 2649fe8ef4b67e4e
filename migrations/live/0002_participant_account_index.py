from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0003_invariants'), ('live', '0001_initial'), ('scheduling', '0003_invariants')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='CallParticipant',
            index=Index(fields=['account_id']),
        ),
    ]
