"""The database itself keeps the rules, whoever writes: a script, a console, a future bug.

Each rule is broken with raw SQL through Tortoise's connection (around the ORM and the use
cases), on whichever engine the suite runs: PostgreSQL refuses with its CHECK and exclusion
constraints, SQLite with the triggers named like them (migrations/invariants.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.payments import Payment, PaymentMethodKind, PaymentRefund, PaymentStatus, ReceiptCounter
from models.practice import Engagement, Service
from models.scheduling import (
    AvailabilityException,
    AvailabilitySettings,
    ExceptionKind,
    Session,
    SessionSeries,
    SessionStatus,
    SessionStatusChange,
    WeeklyHours,
)
from resolvers.scheduling.session_store import SlotTaken, insert_session
from tests.scheduling_steps import practice

START = datetime(2031, 3, 3, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
ANY_OVERLAP = r"session_(professional|client)_no_overlap"


def _db() -> BaseDBAsyncClient:
    return get_connection("default")


def _on_postgres() -> bool:
    return _db().capabilities.dialect == "postgres"


def _sql(statement: str) -> str:
    """`?` placeholders in the dialect's own style (asyncpg numbers them)."""
    if not _on_postgres():
        return statement
    parts = statement.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


def _param(value: Any) -> Any:
    if isinstance(value, UUID) and not _on_postgres():
        return str(value)
    return value


async def _update(table: str, row_id: UUID, changes: dict[str, Any]) -> None:
    assignments = ", ".join(f'"{column}" = ?' for column in changes)
    await _db().execute_query(_sql(f'UPDATE "{table}" SET {assignments} WHERE id = ?'),  # noqa: S608
                              [_param(v) for v in [*changes.values(), row_id]])


async def _insert_copy(table: str, row_id: UUID, changes: dict[str, Any]) -> UUID:
    """Insert a copy of a row under a new id, with `changes`, in one raw INSERT (replacing the
    original where there is one per professional)."""
    rows = await _db().execute_query_dict(_sql(f'SELECT * FROM "{table}" WHERE id = ?'),  # noqa: S608
                                          [_param(row_id)])
    if table in ONE_PER_PROFESSIONAL:
        await _db().execute_query(_sql(f'DELETE FROM "{table}" WHERE id = ?'),  # noqa: S608
                                  [_param(row_id)])
    new_id = uuid4()
    row = {**rows[0], "id": new_id, **changes}
    columns = ", ".join(f'"{column}"' for column in row)
    marks = ", ".join("?" for _ in row)
    await _db().execute_query(_sql(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'),  # noqa: S608
                              [_param(v) for v in row.values()])
    return new_id


async def _rows(api: Any) -> dict[str, Any]:
    """One valid row in every table with a rule: a practice through the API, the rest through
    the ORM (the rules are the database's, not the use cases')."""
    await practice(api)
    engagement = await Engagement.get().select_related("service__professional")
    professional_id = engagement.service.professional.account_id
    series = await SessionSeries.create(engagement_id=engagement.id, every_weeks=1, count=4,
                                        created_by_id=professional_id)
    session = await Session.create(
        engagement_id=engagement.id, professional_id=professional_id,
        client_id=engagement.client_id, starts_at=START, ends_at=END, length_minutes=60,
        price_amount=15000, currency="ISK", booked_by_id=professional_id, series_id=series.id)
    change = await SessionStatusChange.create(session_id=session.id, to_status=session.status,
                                              starts_at=START, ends_at=END)
    payment = await Payment.create(
        session_id=session.id, professional_id=professional_id, client_id=engagement.client_id,
        amount=15000, currency="ISK", status=PaymentStatus.PAID, method=PaymentMethodKind.CASH)
    return {
        "service": engagement.service.id,
        "scheduling_session": session.id,
        "session_status_change": change.id,
        "session_series": series.id,
        "weekly_hours": (await WeeklyHours.filter(professional_id=professional_id).first()).id,
        "availability_exception": (await AvailabilityException.create(
            professional_id=professional_id, day=START.date(), kind=ExceptionKind.OPEN,
            start_minute=600, end_minute=720)).id,
        "availability_settings": (await AvailabilitySettings.get(
            professional_id=professional_id)).id,
        "payment": payment.id,
        "payment_refund": (await PaymentRefund.create(payment_id=payment.id, amount=500)).id,
        "receipt_counter": (await ReceiptCounter.create(professional_id=professional_id,
                                                        last_number=1)).id,
    }


RULES: list[tuple[str, str, dict[str, Any]]] = [
    ("service", "service_price_not_negative", {"price_amount": -1}),
    ("service", "service_session_minutes_positive", {"session_minutes": 0}),
    ("service", "service_vat_rate_in_range", {"vat_rate_basis_points": 10_001}),
    ("service", "service_cancellation_window_not_negative", {"cancellation_window_hours": -1}),
    ("scheduling_session", "session_ends_after_start", {"ends_at": START}),
    ("scheduling_session", "session_ends_after_start",
     {"ends_at": START - timedelta(minutes=1)}),
    ("scheduling_session", "session_length_positive", {"length_minutes": 0}),
    ("scheduling_session", "session_price_not_negative", {"price_amount": -1}),
    ("scheduling_session", "session_vat_rate_in_range", {"vat_rate_basis_points": -1}),
    ("scheduling_session", "session_cancellation_window_not_negative",
     {"cancellation_window_hours": -1}),
    ("scheduling_session", "session_sequence_not_negative", {"sequence": -1}),
    ("session_status_change", "session_status_change_ends_after_start",
     {"ends_at": START - timedelta(hours=1)}),
    ("weekly_hours", "weekly_hours_weekday_in_range", {"weekday": 7}),
    ("weekly_hours", "weekly_hours_weekday_in_range", {"weekday": -1}),
    ("weekly_hours", "weekly_hours_minutes_in_day_and_ordered",
     {"start_minute": 600, "end_minute": 540}),
    ("weekly_hours", "weekly_hours_minutes_in_day_and_ordered", {"end_minute": 1441}),
    ("weekly_hours", "weekly_hours_minutes_in_day_and_ordered", {"start_minute": -1}),
    ("availability_exception", "availability_exception_minutes_in_day_and_ordered",
     {"start_minute": None}),
    ("availability_exception", "availability_exception_minutes_in_day_and_ordered",
     {"start_minute": None, "end_minute": None}),
    ("availability_exception", "availability_exception_minutes_in_day_and_ordered",
     {"start_minute": 720, "end_minute": 600}),
    ("availability_settings", "availability_settings_buffer_not_negative",
     {"buffer_minutes": -5}),
    ("availability_settings", "availability_settings_slot_step_positive",
     {"slot_step_minutes": 0}),
    ("availability_settings", "availability_settings_horizon_positive", {"horizon_days": 0}),
    ("session_series", "session_series_every_weeks_positive", {"every_weeks": 0}),
    ("session_series", "session_series_count_positive", {"count": 0}),
    # A negative amount breaks "refunded within amount" too (nothing refunded is more than it):
    # either name may come first.
    ("payment", "payment_amount_not_negative|payment_refunded_amount_within_amount",
     {"amount": -1}),
    ("payment", "payment_refunded_amount_within_amount", {"refunded_amount": -1}),
    ("payment", "payment_refunded_amount_within_amount", {"refunded_amount": 15_001}),
    ("payment", "payment_vat_rate_in_range", {"vat_rate_basis_points": 10_001}),
    ("payment_refund", "payment_refund_amount_positive", {"amount": 0}),
    ("receipt_counter", "receipt_counter_not_negative", {"last_number": -1}),
]

UNIQUE_ON_COPY: dict[str, Callable[[], dict[str, Any]]] = {
    "service": lambda: {"slug": f"copy-{uuid4().hex[:8]}"},
    "scheduling_session": lambda: {"starts_at": START + timedelta(days=7),
                                   "ends_at": END + timedelta(days=7)},
    "payment": lambda: {"settles_session_id": None},
}
"""What a copy must change to be a valid new row apart from the broken rule."""

ONE_PER_PROFESSIONAL = {"availability_settings", "receipt_counter"}


@pytest.fixture
async def rows(api: Any) -> dict[str, Any]:
    return await _rows(api)


def _rule_id(rule: tuple[str, str, dict[str, Any]]) -> str:
    return f"{rule[1].split('|')[0]}:{','.join(rule[2])}"


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
async def test_an_update_that_breaks_a_rule_is_refused(rows, rule):
    table, name, changes = rule
    with pytest.raises(IntegrityError, match=name):
        async with in_transaction():
            await _update(table, rows[table], changes)
    rows_now = await _db().execute_query_dict(
        _sql(f'SELECT {", ".join(changes)} FROM "{table}" WHERE id = ?'),  # noqa: S608
        [_param(rows[table])])
    assert all(rows_now[0][column] != value for column, value in changes.items()
               if value is not None)


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
async def test_an_insert_that_breaks_a_rule_is_refused(rows, rule):
    table, name, changes = rule
    copy = {**UNIQUE_ON_COPY.get(table, dict)(), **changes}
    if table == "scheduling_session" and "ends_at" in changes:
        copy["starts_at"] = START
    with pytest.raises(IntegrityError, match=name):
        async with in_transaction():
            await _insert_copy(table, rows[table], copy)


async def test_a_valid_copy_is_accepted(rows):
    """The rules refuse only what breaks them: the same copies without the broken value go in."""
    for table in {table for table, _, _ in RULES}:
        async with in_transaction():
            await _insert_copy(table, rows[table], UNIQUE_ON_COPY.get(table, dict)())
    assert await Session.all().count() == 2
    assert await Service.all().count() == 2


async def _foreign_keys_without_index() -> list[str]:
    db = _db()
    if _on_postgres():
        found = await db.execute_query_dict(
            "SELECT c.conrelid::regclass::text AS tbl, a.attname AS col FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND NOT EXISTS (SELECT 1 FROM pg_index i "
            "WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1] AND i.indpred IS NULL)")
        return sorted(f"{row['tbl']}.{row['col']}" for row in found)
    missing = []
    tables = await db.execute_query_dict(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    for table in (row["name"] for row in tables):
        leading = set()
        for index in await db.execute_query_dict(f'PRAGMA index_list("{table}")'):
            if index["partial"]:
                continue
            columns = await db.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
            leading |= {column["name"] for column in columns if column["seqno"] == 0}
        for key in await db.execute_query_dict(f'PRAGMA foreign_key_list("{table}")'):
            if key["from"] not in leading:
                missing.append(f"{table}.{key['from']}")
    return sorted(missing)


async def test_every_foreign_key_column_leads_an_index(database):
    """Deleting an account or listing a client's payments must not scan whole tables: every
    foreign key column is the first column of a full (not partial) index."""
    assert await _foreign_keys_without_index() == []


async def test_the_catalog_query_sees_a_foreign_key_without_index(database):
    """The check above can fail: a new table with an unindexed foreign key shows up in it."""
    db = _db()
    key_type = "uuid" if _on_postgres() else "CHAR(36)"
    await db.execute_script(
        f'CREATE TABLE "probe_unindexed" (id {key_type} PRIMARY KEY, '
        f'account_id {key_type} REFERENCES "account" (id))')
    try:
        assert "probe_unindexed.account_id" in await _foreign_keys_without_index()
    finally:
        await db.execute_script('DROP TABLE "probe_unindexed"')


async def _other_account(email: str) -> UUID:
    account = await Account.create(email=email, password_hash="-", name="Other")
    return account.id


async def test_an_overlapping_live_session_written_around_the_store_is_refused(rows):
    session_id = rows["scheduling_session"]
    other = await _other_account("other@example.com")
    half_past = {"starts_at": START + timedelta(minutes=30), "ends_at": END + timedelta(minutes=30)}
    with pytest.raises(IntegrityError, match="session_professional_no_overlap"):
        async with in_transaction():
            await _insert_copy("scheduling_session", session_id, {**half_past, "client_id": other})
    with pytest.raises(IntegrityError, match="session_client_no_overlap"):
        async with in_transaction():
            await _insert_copy("scheduling_session", session_id,
                               {**half_past, "professional_id": other})
    with pytest.raises(IntegrityError, match=ANY_OVERLAP):
        async with in_transaction():
            await _insert_copy("scheduling_session", session_id,
                               {"starts_at": START - timedelta(hours=2),
                                "ends_at": END + timedelta(hours=2)})
    assert await Session.all().count() == 1


async def test_moving_a_session_onto_another_is_refused(rows):
    later = await _insert_copy("scheduling_session", rows["scheduling_session"],
                               {"starts_at": END, "ends_at": END + timedelta(hours=1)})
    with pytest.raises(IntegrityError, match=ANY_OVERLAP):
        async with in_transaction():
            await _update("scheduling_session", later,
                          {"starts_at": START + timedelta(minutes=15)})
    moved = await Session.get(id=later)
    assert moved.starts_at == END


async def test_back_to_back_and_cancelled_sessions_are_allowed(rows):
    session_id = rows["scheduling_session"]
    await _insert_copy("scheduling_session", session_id,
                       {"starts_at": END, "ends_at": END + timedelta(hours=1)})
    await _insert_copy("scheduling_session", session_id,
                       {"starts_at": START - timedelta(hours=1), "ends_at": START})
    cancelled = await _insert_copy("scheduling_session", session_id,
                                   {"status": SessionStatus.CANCELLED.value})
    await _update("scheduling_session", session_id,
                  {"status": SessionStatus.LATE_CANCELLED.value})
    await _insert_copy("scheduling_session", session_id,
                       {"status": SessionStatus.SCHEDULED.value})
    with pytest.raises(IntegrityError, match=ANY_OVERLAP):
        async with in_transaction():
            await _update("scheduling_session", cancelled,
                          {"status": SessionStatus.SCHEDULED.value})
    assert await Session.filter(status__in=(SessionStatus.SCHEDULED,)).count() == 3


async def test_the_store_reports_a_refusal_by_the_database_as_a_taken_slot(rows):
    """A session another tool wrote with its times in ISO form (`2031-03-03T10:00:00+00:00`)
    is invisible to a text comparison; the database compares instants and refuses, and the
    booking fails as a taken slot, not as an error."""
    session = await Session.get(id=rows["scheduling_session"])
    times = {"starts_at": START, "ends_at": END}
    if not _on_postgres():
        times = {column: value.isoformat() for column, value in times.items()}
    await _update("scheduling_session", session.id, times)
    values = {column: getattr(session, column) for column in (
        "engagement_id", "professional_id", "client_id", "length_minutes", "price_amount",
        "currency", "booked_by_id")}
    with pytest.raises(SlotTaken):
        async with in_transaction():
            await insert_session(**values, starts_at=START + timedelta(minutes=30),
                                 ends_at=END + timedelta(minutes=30))
    assert await Session.all().count() == 1
