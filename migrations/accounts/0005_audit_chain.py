"""The audit log becomes a sealed chain (issue 13): a gapless sequence, each entry's seal and the
previous one's, and triggers that refuse UPDATE and DELETE.

The columns are added by hand (the state learns them through `StateOnly`): Tortoise's `AddField`
gives a new NOT NULL column no database default, which a log with entries refuses. Entries
already written get their sequence numbers in the order they were written and stay unsealed:
sealing needs the server key, which migrations do not have. `verify-audit` accepts unsealed
entries only at the start of the log.
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from migrations.append_only import append_only
from migrations.state_only import StateOnly


async def add_chain_columns(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for column in ("previous_seal", "seal"):
        await client.execute_script(
            f"ALTER TABLE audit_entry ADD COLUMN {column} VARCHAR(64) NOT NULL DEFAULT ''")
    await client.execute_script("ALTER TABLE audit_entry ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0")
    rows = await client.execute_query_dict("SELECT id FROM audit_entry ORDER BY at, id")
    update = ("UPDATE audit_entry SET sequence = $1 WHERE id = $2" if postgres
              else "UPDATE audit_entry SET sequence = ? WHERE id = ?")
    for sequence, row in enumerate(rows, start=1):
        await client.execute_query(update, [sequence, row["id"]])
    if postgres:
        await client.execute_script(
            "ALTER TABLE audit_entry ALTER COLUMN sequence DROP DEFAULT; "
            "ALTER TABLE audit_entry ADD CONSTRAINT audit_entry_sequence_key UNIQUE (sequence)")
    else:
        await client.execute_script(
            "CREATE UNIQUE INDEX audit_entry_sequence_key ON audit_entry (sequence)")


class Migration(migrations.Migration):
    dependencies = [('accounts', '0004_account_link')]

    initial = False

    operations = [
        ops.RunPython(add_chain_columns),
        StateOnly(ops.AddField(
            model_name='AuditEntry',
            name='previous_seal',
            field=fields.CharField(default='', max_length=64),
        )),
        StateOnly(ops.AddField(
            model_name='AuditEntry',
            name='seal',
            field=fields.CharField(default='', max_length=64),
        )),
        StateOnly(ops.AddField(
            model_name='AuditEntry',
            name='sequence',
            field=fields.BigIntField(unique=True),
        )),
        ops.RunPython(append_only('audit_entry')),
    ]
