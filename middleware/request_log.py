"""One log line per event, each carrying the id of the request it belongs to.

`RequestLog` gives every HTTP request and websocket connection an id (the caller's
`X-Request-Id` when it is a plain token, else a new one), echoes it in the answer, and logs one
`request` line at the end: method, redacted path, status, latency, the GraphQL operation's
name and the signed-in account's id. What is never logged: emails, tokens, passwords, note
text, card details, variables, query text; the request's facts hold ids and names only.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from middleware import metrics
from middleware.access_log import redact_url

log = logging.getLogger("therapyhub.request")

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
"""A request id from a proxy is kept only if it cannot smuggle anything into a log line."""


@dataclass
class RequestFacts:
    """What the layers below learn about the request, for its `request` line and metrics."""

    request_id: str
    operation: str = ""
    account_id: str = ""
    error_codes: list[str] = field(default_factory=list)
    user_errors: list[tuple[str, str]] = field(default_factory=list)
    """(mutation field, userErrors code) pairs, for the metrics."""


_current: contextvars.ContextVar[RequestFacts | None] = contextvars.ContextVar(
    "therapyhub_request", default=None)


def current() -> RequestFacts | None:
    """The facts of the request being served, or None outside one (background jobs)."""
    return _current.get()


class RequestLog:
    """Pure ASGI, outermost but for the proxy headers: its latency covers everything else.
    `after` runs after every request (the app updates this process's gauges there)."""

    def __init__(self, app: ASGIApp, after: Callable[[], None] | None = None) -> None:
        self.app = app
        self.after = after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"").decode(
            "latin-1")
        facts = RequestFacts(request_id=given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex)
        token = _current.set(facts)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-Id", facts.request_id)
            elif message["type"] == "websocket.accept":
                status = 101
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            log.info("request", extra={
                "method": scope.get("method", "WEBSOCKET"), "path": redact_url(scope["path"]),
                "status": status, "latency_ms": round(seconds * 1000, 1),
                "operation": facts.operation, "account_id": facts.account_id,
                **({"error_codes": facts.error_codes} if facts.error_codes else {}),
            })
            metrics.record_request(scope["path"], facts.operation, status, seconds,
                                   facts.error_codes, facts.user_errors)
            if self.after is not None:
                self.after()
            _current.reset(token)

_FIELDS = ("method", "path", "status", "latency_ms", "operation", "account_id", "error_codes",
           "reference")
"""The extra fields a line may carry; anything else a library adds stays out of the line."""


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request's id (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        facts = _current.get()
        record.request_id = facts.request_id if facts else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        line.update({name: getattr(record, name) for name in _FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """For a developer's terminal: the same facts, readable."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{name}={getattr(record, name)}" for name in _FIELDS
                          if getattr(record, name, "") not in ("", None))
        request = getattr(record, "request_id", "")
        text = (f"{record.levelname} {record.name}{f' [{request}]' if request else ''}: "
                f"{record.getMessage()}{f' {extras}' if extras else ''}")
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure_logging(log_format: str) -> None:
    """Everything, uvicorn's own loggers included, goes to stderr through one handler. Called
    in each worker (`app.from_environment`), after uvicorn's dictConfig, which it overrides;
    tests that build the app in process keep pytest's logging."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        for old in logger.handlers[:]:
            logger.removeHandler(old)
        logger.propagate = True
