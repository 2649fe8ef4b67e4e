"""The audit log is append-only in the database and its seals show an edit made around that."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from migrations import append_only
from models.audit import AuditEntry
from resolvers.core import audit
from resolvers.core.caller import Caller
from tests.conftest import ON_POSTGRES
from tests.helpers import PASSWORD, login, register

ROOT = Path(__file__).resolve().parent.parent
RULE = append_only.rule_name("audit_entry")


async def some_history(api) -> int:
    """A registration, sign-ins and a failed one; the number of entries they wrote."""
    await register(api, "anna@example.com")
    await login(api, "anna@example.com")
    await login(api, "anna@example.com", PASSWORD + "wrong")
    return await AuditEntry.all().count()


def verify_command(settings) -> subprocess.CompletedProcess[str]:
    """`python app.py verify-audit` as an operator runs it, on the test's database and key."""
    key = base64.urlsafe_b64encode(settings.secret_key).decode().rstrip("=")
    return subprocess.run(
        [sys.executable, "app.py", "verify-audit"], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "ENVIRONMENT": "development", "DATABASE_URL": settings.database_url,
             "SECRET_KEY": key},
        check=False, timeout=120,
    )


async def behind_the_database(sql: str) -> None:
    """What the database's owner can do: run a change with the append-only triggers off."""
    connection = get_connection("default")
    if ON_POSTGRES:
        await connection.execute_script(
            f"BEGIN; SET LOCAL session_replication_role = replica; {sql}; COMMIT;")
        return
    for event in ("update", "delete"):
        await connection.execute_script(f'DROP TRIGGER "{RULE}_on_{event}"')
    await connection.execute_script(sql)
    for statement in append_only.sqlite_statements("audit_entry"):
        await connection.execute_script(statement)


async def test_entries_form_a_gapless_sealed_chain_the_command_confirms(api, settings):
    written = await some_history(api)

    entries = await AuditEntry.all().order_by("sequence")
    assert (entries[0].action, entries[-1].action) == ("register", "login_failed")
    assert [e.sequence for e in entries] == list(range(1, written + 1))
    assert entries[0].previous_seal == ""
    assert [e.previous_seal for e in entries[1:]] == [e.seal for e in entries[:-1]]
    result = await audit.verify(settings)
    assert (result.intact, result.sealed, result.unsealed) == (True, written, 0)

    command = verify_command(settings)
    assert command.returncode == 0, command.stdout + command.stderr
    assert f"{written} sealed entries" in command.stdout
    assert f"head seal {entries[-1].seal}" in command.stdout
    assert "The chain is intact." in command.stdout


@pytest.mark.parametrize("sql", [
    "UPDATE audit_entry SET action = 'nothing'",
    "DELETE FROM audit_entry",
])
async def test_the_database_refuses_to_change_or_delete_an_entry(api, sql):
    written = await some_history(api)

    with pytest.raises((IntegrityError, OperationalError), match=RULE):
        await get_connection("default").execute_script(sql)

    assert await AuditEntry.filter(action="nothing").count() == 0
    assert await AuditEntry.all().count() == written


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no TRUNCATE statement")
async def test_postgresql_refuses_to_truncate_the_log(api):
    written = await some_history(api)

    with pytest.raises((IntegrityError, OperationalError), match=RULE):
        await get_connection("default").execute_script('TRUNCATE "audit_entry"')

    assert await AuditEntry.all().count() == written


async def test_an_entry_edited_around_the_triggers_breaks_the_chain_there(api, settings):
    await some_history(api)

    await behind_the_database(
        "UPDATE audit_entry SET address = '203.0.113.9' WHERE sequence = 2")

    result = await audit.verify(settings)
    assert (result.broken_at, result.reason) == (2, "the entry was changed after it was written")
    command = verify_command(settings)
    assert command.returncode == 1
    assert "BROKEN at sequence 2: the entry was changed after it was written." in command.stdout


async def test_a_removed_entry_leaves_a_gap(api, settings):
    await some_history(api)

    await behind_the_database("DELETE FROM audit_entry WHERE sequence = 2")

    result = await audit.verify(settings)
    assert (result.broken_at, result.reason) == (
        2, "an entry is missing before this sequence number")


async def test_a_resealed_edit_needs_the_server_key(api, settings):
    """Re-linking an edited entry to its neighbours is not enough without the key."""
    await some_history(api)
    entries = await AuditEntry.all().order_by("sequence")
    forged = "0" * 64

    await behind_the_database(
        "UPDATE audit_entry SET seal = '0000000000000000000000000000000000000000000000000000000000000000' WHERE sequence = 2; "  # noqa: E501
        "UPDATE audit_entry SET previous_seal = '0000000000000000000000000000000000000000000000000000000000000000' WHERE sequence = 3")  # noqa: E501

    result = await audit.verify(settings)
    assert result.broken_at == 2
    assert entries[1].seal != forged


async def test_an_entry_rolled_back_with_its_action_leaves_no_gap(api, settings):
    written = await some_history(api)
    caller = Caller(settings=settings, address="198.51.100.4")

    async def failing_action() -> None:
        async with in_transaction():
            await audit.record(caller, "read_notes")
            raise RuntimeError("the action failed after recording")

    with pytest.raises(RuntimeError):
        await failing_action()
    await audit.record(caller, "read_client_profile")

    entries = await AuditEntry.all().order_by("sequence")
    assert [(e.sequence, e.action) for e in entries][written:] == [
        (written + 1, "read_client_profile")]
    assert (await audit.verify(settings)).intact


async def test_concurrent_entries_each_get_their_own_place_in_the_chain(api, settings):
    callers = [Caller(settings=settings, address=f"198.51.100.{n}") for n in range(12)]

    await asyncio.gather(*(audit.record(c, "read_client_profile") for c in callers))

    entries = await AuditEntry.all().order_by("sequence")
    assert [e.sequence for e in entries] == list(range(1, 13))
    assert sorted(e.address for e in entries) == sorted(c.address for c in callers)
    assert (await audit.verify(settings)).intact


async def test_unsealed_entries_are_accepted_only_before_the_chain_began(api, settings):
    """Entries from before the migration carry no seal; one appearing later is a forgery."""
    await audit.record(Caller(settings=settings), "read_notes")
    await behind_the_database("UPDATE audit_entry SET seal = '' WHERE sequence = 1")
    assert (await audit.verify(settings)).unsealed == 1

    await audit.record(Caller(settings=settings), "read_notes")
    await audit.record(Caller(settings=settings), "read_notes")
    await behind_the_database("UPDATE audit_entry SET seal = '' WHERE sequence = 3")

    result = await audit.verify(settings)
    assert (result.broken_at, result.reason) == (3, "an unsealed entry follows sealed ones")
