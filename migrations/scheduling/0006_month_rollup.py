"""Attended sessions per engagement and UTC month, kept by triggers on the sessions
(migrations/month_rollup.py): the hub's sessions per month read a dozen rows per engagement
instead of a year of sessions."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from migrations.month_rollup import create

class Migration(migrations.Migration):
    dependencies = [('scheduling', '0005_upcoming_index')]

    initial = False

    operations = [
        ops.RunPython(create),
    ]
