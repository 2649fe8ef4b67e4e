"""Test harness: one real database per run (SQLite file or a fresh PostgreSQL database),
built by the same migrations as production, emptied after every test.

TEST_DATABASE=sqlite (default) or a PostgreSQL admin URL such as
postgres://postgres@127.0.0.1:5432/postgres, under which a database is created and dropped.
Tests of events between processes run once per broker (`broker`): on PostgreSQL its
LISTEN/NOTIFY and Redis pub/sub (TEST_REDIS_URL, default the local Redis, on a channel of this
run only); on SQLite the in-process bus.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
import redis
from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.contrib.test import truncate_all_models

import db
import settings as settings_module
from migrations import append_only, month_rollup
from settings import Settings
from tests.api_client import Api
from tests.fake_stripe import FakeStripe
from tests.mailbox import Mailbox, SmtpServer

TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")
ON_POSTGRES = TEST_DATABASE.startswith("postgres")

TEST_ENV = {
    "ENVIRONMENT": "test",
    # Cheap argon2 in tests only: settings refuse these outside ENVIRONMENT=test.
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_KIB": "64",
    # One server key for the tests and every app process they start, so a test can read the
    # links an app process wrote to its outbox.
    "SECRET_KEY": "t" * 43,
    # Events go through Redis only where a test asks for it (`broker`), on this run's own
    # channel, so parallel runs sharing one Redis never hear each other. The process id, not a
    # random token: pytest imports this module twice (as `conftest` and `tests.conftest`).
    "REDIS_URL": "",
    "REDIS_CHANNEL_PREFIX": f"therapyhub-test-{os.getpid()}",
}
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BROKERS = ("postgres", "redis") if ON_POSTGRES else ("in_process",)


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL' if ON_POSTGRES else 'SQLite'}"


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if not ON_POSTGRES:
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name = f"therapyhub_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(TEST_DATABASE)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = TEST_DATABASE.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        await Tortoise.close_connections()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return settings_module.from_env({**TEST_ENV, "DATABASE_URL": database_url})


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[None]:
    await db.migrate(database_url)
    await Tortoise.init(config=db.tortoise_config(database_url), _enable_global_fallback=True)
    yield
    await Tortoise.close_connections()


@pytest.fixture(autouse=True)
async def _empty_database_after_test(database: None) -> AsyncIterator[None]:
    yield
    await empty_database()


async def empty_database() -> None:
    """Empty every table, the append-only audit log too, by going around its triggers the way
    only the database's owner can (PostgreSQL: replica mode for this transaction; SQLite:
    drop the triggers and make them again), and the month rollup, which has no model."""
    connection = get_connection("default")
    if ON_POSTGRES:
        tables = ", ".join([*(f'"{m._meta.db_table}"' for m in Tortoise.apps.get_models_iterable()),
                            month_rollup.TABLE])
        await connection.execute_script(
            "BEGIN; SET LOCAL session_replication_role = replica; "
            f"TRUNCATE {tables} CASCADE; COMMIT;")
        return
    rule = append_only.rule_name("audit_entry")
    for event in ("update", "delete"):
        await connection.execute_script(f'DROP TRIGGER "{rule}_on_{event}"')
    await truncate_all_models()
    await connection.execute_script(f"DELETE FROM {month_rollup.TABLE}")  # noqa: S608
    for statement in append_only.sqlite_statements("audit_entry"):
        await connection.execute_script(statement)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the broker tests use: a failure in CI (CI=true), where it must run, else a
    skip that says how to get one."""
    try:
        with redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2) as client:
            client.ping()
    except redis.RedisError as error:
        message = (f"No Redis answers at {TEST_REDIS_URL} ({type(error).__name__}): start one "
                   "(redis-server) or point TEST_REDIS_URL at one.")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return TEST_REDIS_URL


@pytest.fixture(params=BROKERS)
def broker(request: pytest.FixtureRequest) -> str:
    """Which bus carries events between app processes in this run of the test."""
    return str(request.param)


@pytest.fixture
def broker_env(broker: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """The settings an app process needs to use `broker`, as environment variables."""
    if broker == "redis":
        return {"REDIS_URL": request.getfixturevalue("redis_url")}
    return {}


@pytest.fixture
def bus_settings(settings: Settings, broker_env: dict[str, str]) -> Settings:
    """The test settings with `broker` as the event bus (events_for(bus_settings))."""
    return settings.with_changes(redis_url=broker_env.get("REDIS_URL", ""))


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    async with Api(settings) as client:
        yield client


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port, for the whole run."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(settings: Settings, smtp_server: SmtpServer) -> Mailbox:
    """The messages delivered to the SMTP server during this test."""
    return Mailbox(settings, smtp_server)


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[FakeStripe]:
    """The fake Stripe API on a loopback port, for the whole run (tests/fake_stripe.py)."""
    with FakeStripe.running() as fake:
        yield fake


@pytest.fixture
def fake_stripe(stripe_server: FakeStripe) -> FakeStripe:
    stripe_server.reset()
    return stripe_server


@pytest.fixture
def stripe_settings(settings: Settings, fake_stripe: FakeStripe) -> Settings:
    """Card payments on, against the fake Stripe."""
    return settings.with_changes(
        stripe_secret_key=FakeStripe.API_KEY, stripe_webhook_secret=FakeStripe.WEBHOOK_SECRET,
        stripe_api_base=fake_stripe.url, stripe_max_network_retries=0,
        stripe_timeout_seconds=1.0,
    )


@pytest.fixture
async def stripe_api(stripe_settings: Settings) -> AsyncIterator[Api]:
    """The API of a server with card payments enabled."""
    async with Api(stripe_settings) as client:
        yield client
