"""/metrics as Prometheus scrapes it, and /health/ready as a load balancer asks it."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from tortoise.connection import get_connection

from gateways.events import Events
from middleware.metrics import MAX_OPERATIONS, ROUTES
from settings import Settings
from tests.api_client import Api
from tests.app_process import served_app
from tests.helpers import CURRENT_TERMS, LOGIN, REGISTER

METRICS_TOKEN = "metrics-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def _scrape(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await api.http.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


async def test_metrics_are_a_404_without_the_token_or_an_allowed_address(
        settings: Settings) -> None:
    unknown = httpx.Response(404, text="Not Found")
    async with Api(settings.with_changes(metrics_token=METRICS_TOKEN), events=Events()) as api:
        for headers in ({}, {"Authorization": "Bearer wrong"},
                        {"Authorization": f"Basic {METRICS_TOKEN}"}):
            refused = await api.http.get("/metrics", headers=headers)
            assert (refused.status_code, refused.text) == (unknown.status_code, unknown.text)
        assert (await api.http.get("/metrics", headers=BEARER)).status_code == 200
    async with Api(settings, events=Events()) as api:
        assert (await api.http.get("/metrics", headers=BEARER)).status_code == 404
    async with Api(settings.with_changes(metrics_networks=("10.0.0.0/8",)),
                   events=Events()) as api:
        assert (await api.http.get("/metrics")).status_code == 404
    async with Api(settings.with_changes(metrics_networks=("127.0.0.0/8",)),
                   events=Events()) as api:
        assert (await api.http.get("/metrics")).status_code == 200


async def test_metrics_count_operations_errors_logins_and_the_outbox(settings: Settings) -> None:
    async with Api(settings.with_changes(metrics_token=METRICS_TOKEN), events=Events()) as api:
        before = await _scrape(api)
        await api("query Viewer { viewer { id } }")
        await api("query Broken { viewer { nope } }")
        await api(LOGIN, {"input": {"email": "nobody@example.com", "password": "wrong-one"}})
        await api(REGISTER, {"input": {"email": "metrics@example.com", "password":
                                       "a long enough password", "name": "Metric Person",
                                       "timeZone": "Atlantic/Reykjavik", "locale": "en",
                                       "roles": ["CLIENT"], **CURRENT_TERMS}})
        after = await _scrape(api)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("therapyhub_requests_total", operation="Viewer", status="200") == 1
    assert grew("therapyhub_request_duration_seconds_count", operation="Viewer") == 1
    assert grew("therapyhub_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert grew("therapyhub_login_failures_total", code="INVALID_CREDENTIALS") == 1
    assert grew("therapyhub_user_errors_total", mutation="login",
                code="INVALID_CREDENTIALS") == 1
    assert after[("therapyhub_outbox_waiting", ())] == 1  # the confirmation email
    assert after[("therapyhub_outbox_oldest_seconds", ())] >= 0
    assert after[("therapyhub_outbox_failed", ())] == 0
    assert after[("therapyhub_reminder_lag_seconds", ())] == 0
    assert after[("therapyhub_event_bus_connected", ())] == 1


async def test_operation_names_cannot_grow_the_series_without_bound(settings: Settings) -> None:
    async with Api(settings.with_changes(metrics_token=METRICS_TOKEN), events=Events()) as api:
        await api('query Evil_name_with_quote" { viewer { id } }')
        for number in range(320):
            await api(f"query Made{number} {{ viewer {{ id }} }}")
        samples = await _scrape(api)
    operations = {dict(labels).get("operation") for name, labels in samples
                  if name == "therapyhub_requests_total"}
    named = operations - {route.rstrip("/") for route in ROUTES} - {"anonymous"}
    assert len(named) <= MAX_OPERATIONS + 1  # the names, and `other` for the rest
    assert "other" in operations


async def test_readiness_needs_the_database_current_and_the_events(settings: Settings) -> None:
    async with Api(settings, events=Events()) as api:
        ready = await api.http.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "database": "ok", "migrations": "ok",
                                "events": "ok"}

    connection = get_connection("default")
    _, rows = await connection.execute_query(
        "SELECT app, name, applied_at FROM tortoise_migrations ORDER BY applied_at DESC LIMIT 1")
    newest = rows[0]
    postgres = connection.capabilities.dialect == "postgres"
    await connection.execute_query(
        "DELETE FROM tortoise_migrations WHERE app = $1 AND name = $2" if postgres else
        "DELETE FROM tortoise_migrations WHERE app = ? AND name = ?",
        [newest["app"], newest["name"]])
    try:
        async with Api(settings, events=Events()) as api:
            behind = await api.http.get("/health/ready")
            live = await api.http.get("/health")
    finally:
        await connection.execute_insert(
            "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ($1, $2, $3)"
            if postgres else
            "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES (?, ?, ?)",
            [newest["app"], newest["name"], newest["applied_at"]])
    assert behind.status_code == 503
    assert behind.json()["migrations"] == "pending"
    assert live.status_code == 200

    class Deaf(Events):
        @property
        def ready(self) -> bool:
            return False

    async with Api(settings, events=Deaf()) as api:
        deaf = await api.http.get("/health/ready")
    assert (deaf.status_code, deaf.json()["events"]) == (503, "down")


async def test_workers_add_up_in_multiprocess_mode(database_url: str, tmp_path: Path) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    async with served_app(database_url, tmp_path / "app.log", METRICS_TOKEN=METRICS_TOKEN,
                          PROMETHEUS_MULTIPROC_DIR=str(shared)) as base, \
            httpx.AsyncClient(base_url=base) as http:
        for _ in range(3):
            await http.post("/graphql", json={"query": "query Viewer { viewer { id } }"})
        samples = _samples((await http.get("/metrics", headers=BEARER)).text)
    assert samples[("therapyhub_requests_total",
                    (("operation", "Viewer"), ("status", "200")))] == 3
    assert list(shared.glob("*.db")), "the counts are kept in PROMETHEUS_MULTIPROC_DIR"
