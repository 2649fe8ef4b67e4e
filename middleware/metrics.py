"""The Prometheus metrics every process keeps, and the text /metrics answers with.

Several workers (uvicorn --workers N) each count their own requests: with
PROMETHEUS_MULTIPROC_DIR set (an empty folder, the same for every worker, emptied before they
start) prometheus-client keeps the values in files there and a scrape of any worker adds them
up. Labels take names from a fixed set only (operation names as the client sent them are
capped), so a caller cannot grow the series without bound.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "exposition", "record_request"]

REQUESTS = Counter("therapyhub_requests", "HTTP requests and websocket connections answered, "
                   "by GraphQL operation name (or route) and status.", ["operation", "status"])
LATENCY = Histogram("therapyhub_request_duration_seconds",
                    "Time from the request's arrival to its last byte, by operation.",
                    ["operation"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
GRAPHQL_ERRORS = Counter("therapyhub_graphql_errors", "GraphQL errors answered, by "
                         "extensions.code (INTERNAL: a masked bug, see its reference in the "
                         "log).", ["code"])
USER_ERRORS = Counter("therapyhub_user_errors", "userErrors in mutation payloads, by "
                      "mutation and code.", ["mutation", "code"])
LOGIN_FAILURES = Counter("therapyhub_login_failures", "login mutations refused (wrong "
                         "password, rate limit, unconfirmed email), by code.", ["code"])
EVENT_BUS = Gauge("therapyhub_event_bus_connected", "1 while the process hears other "
                  "processes' events (its LISTEN connection is up); the lowest over the live "
                  "workers.", multiprocess_mode="livemin")
POOL_SIZE = Gauge("therapyhub_db_pool_connections", "Connections the database pool holds, "
                  "summed over the live workers (PostgreSQL only).", multiprocess_mode="livesum")
POOL_IN_USE = Gauge("therapyhub_db_pool_in_use", "Pool connections lent to a query now, "
                    "summed over the live workers (PostgreSQL only).",
                    multiprocess_mode="livesum")

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
MAX_OPERATIONS = 300
"""Operation names beyond this many distinct ones (per process) count as `other`."""
_seen: set[str] = set()
ROUTES = ("/graphql", "/health/ready", "/health", "/metrics", "/calendar/", "/receipts/",
          "/exports/", "/webhooks/stripe", "/live", "/graphiql")


def operation_label(path: str, operation: str) -> str:
    if path != "/graphql":
        return next((route.rstrip("/") for route in ROUTES if path.startswith(route)), "other")
    if not operation:
        return "anonymous"
    if operation in _seen:
        return operation
    if _NAME.fullmatch(operation) and len(_seen) < MAX_OPERATIONS:
        _seen.add(operation)
        return operation
    return "other"


def record_request(path: str, operation: str, status: int, seconds: float,
                   error_codes: Iterable[str], user_errors: Iterable[tuple[str, str]]) -> None:
    label = operation_label(path, operation)
    REQUESTS.labels(label, str(status)).inc()
    LATENCY.labels(label).observe(seconds)
    for code in error_codes:
        GRAPHQL_ERRORS.labels(code).inc()
    for mutation, code in user_errors:
        USER_ERRORS.labels(mutation, code).inc()
        if mutation == "login":
            LOGIN_FAILURES.labels(code).inc()


def record_process(*, event_bus_connected: bool, pool_size: int | None,
                   pool_idle: int | None) -> None:
    """This process's own state, set when it is scraped and after every request."""
    EVENT_BUS.set(1 if event_bus_connected else 0)
    if pool_size is not None and pool_idle is not None:
        POOL_SIZE.set(pool_size)
        POOL_IN_USE.set(pool_size - pool_idle)


class Figures(Collector):
    """Values read from the database at scrape time: the same for every worker."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return self.families


def exposition(figures: dict[str, tuple[str, float]]) -> bytes:
    """The text format: every process's counters (added up in multiprocess mode), then the
    database figures, `{name: (help, value)}`."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    database = CollectorRegistry()
    database.register(Figures([GaugeMetricFamily(name, text, value=value)
                               for name, (text, value) in figures.items()]))
    return generate_latest(registry) + generate_latest(database)
