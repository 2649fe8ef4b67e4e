"""The therapy hub's web app: GraphQL at /graphql, health checks, the routes beside it.

`python app.py <command>` runs the command line (`cli.py`: serve, migrate, seed,
export-schema, verify-audit, rebuild-progress); installed (`pip install .`), the same commands
are `therapy-hub ...`. Several processes (production): `therapy-hub migrate` once, then
`uvicorn app:from_environment --factory --workers N` (docs/deploy.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from tortoise.connection import get_connection
from tortoise.contrib.starlette import RegisterTortoise
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import db
import settings as settings_module
import sqlite_lock
from gateways.events import Events, events_for
from jobs import data_exports, outbox_sender, reminders, retention
from middleware import (
    AnswerUnavailable,
    BodyLimit,
    brief_pool_outages,
    garbage_collection,
    metrics,
    redact_access_log,
    request_log,
)
from middleware.json_errors import json_error
from resolvers import reactions
from resolvers.accounts.signin import authenticate
from resolvers.core.caller import Caller
from routes.calendar_feeds import calendar_feed, session_calendar_file_endpoint
from routes.data_exports import data_export_download
from routes.graphiql import graphiql_page, graphiql_routes
from routes.live_client import live_client_routes
from routes.metrics import metrics_endpoint
from routes.payments import receipt_endpoint, stripe_webhook_endpoint
from routes.preflight import graphql_options
from schema import build_schema
from schema.core import trusted_documents
from schema.core.context import Context
from schema.core.request_errors import (
    BAD_REQUEST,
    PARSE_FAILED,
    VALIDATION_FAILED,
    RequestRefused,
)
from schema.core.trusted_documents import TrustedDocuments, document_id
from settings import Settings

reactions.connect()  # before any request: the domains react to each other's events

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"

ENTRY = "app:from_environment"
"""The import string uvicorn runs, in `serve` and in README's production command: `--workers`
needs one, since an app object built here cannot be handed to another process."""
UVICORN_OPTIONS: dict[str, Any] = {"factory": True, "proxy_headers": False, "log_level": "info"}
"""What `serve` gives uvicorn besides host and port. README's production command passes the
same (tests/test_workers.py parses it with uvicorn's own command line and compares)."""


class TrustedDocumentsTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws `subscribe` payloads may name their document by id too, but
    Strawberry hands a payload's extensions on to nothing: so the listed text is put in
    `query` here, and an id that is not listed (or another text with it) is refused with the
    same `error` message a validation failure gets."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        documents = cast("GraphQLApp", self.view).trusted_documents
        payload = message.get("payload")
        if documents is not None and self.connection_acknowledged and isinstance(payload, dict):
            try:
                payload["query"], _ = documents.document_for(document_id(payload),
                                                             payload.get("query"))
            except RequestRefused as refused:
                error = GraphQLError(str(refused), original_error=refused)
                await self.send_message({"id": message["id"], "type": "error",
                                         "payload": [error.formatted]})
                return
        await super().handle_subscribe(message)


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI app with our typed context, a fast JSON encoder and, outside
    production, our GraphiQL page (routes/graphiql.py) instead of Strawberry's CDN one."""

    graphql_transport_ws_handler_class = TrustedDocumentsTransportWS

    def __init__(self, settings: Settings, events: Events) -> None:
        schema = build_schema(settings)
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=False,
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.events = events
        self.trusted_documents: TrustedDocuments | None = schema.trusted_documents

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter
                              ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Strawberry keeps no top-level `documentId` (codegen's client preset sends its
        trusted documents so): it goes on in the extensions, where TrustedDocumentsOnly reads
        it beside Apollo's `persistedQuery`."""
        data = await super().parse_http_body(request)
        if self.trusted_documents is None or not isinstance(data, GraphQLRequestData):
            return data
        raw = (self.parse_query_params(request.query_params) if request.method == "GET"
               else self.parse_json(await request.get_body()))
        if not isinstance(found := raw.get("documentId"), str):
            return data
        return replace(data, extensions={**(data.extensions or {}), "documentId": found})

    async def get_context(self, request: Request | WebSocket,
                          response: Response | WebSocket) -> Context:
        caller = Caller(
            settings=self.settings,
            address=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", ""),
            events=self.events,
        )
        await _sign_in(self.settings, request.headers.get("authorization", ""), caller)
        _note_account(caller)
        return Context(request=request, response=response, caller=caller)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql_page(request.url.path)

    async def on_ws_connect(self, context: Context) -> None:
        """Websockets sign in from `connection_init` ({"authorization": "Bearer <token>"}):
        browsers cannot send headers there. The key is read as HTTP reads header names, in any
        case: GraphiQL sends its headers editor's JSON as the payload, `Authorization` as
        typed. An empty one signs no one in; a token that signs no one in closes the socket
        (4403), so the SPA knows to sign in again instead of waiting for events."""
        header = _authorization(context.connection_params)
        if not header:
            return
        await _sign_in(self.settings, header, context.caller)
        _note_account(context.caller)
        if context.caller.account is None:
            raise ConnectionRejectionError({"message": "Sign in again: that token has expired."})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry answers an unreadable HTTP request in plain text; the SPA reads
        `errors[0].extensions.code` on every answer, so it gets the JSON shape here."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as refused:
            response = json_error(refused.status_code, _HTTP_CODES.get(
                refused.status_code, "BAD_REQUEST"), refused.reason)
        if (GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")
                and response.media_type == "application/json"):
            response = _as_graphql_response_json(response)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """orjson refuses invalid UTF-8 as a JSON error (400), where `json.loads` raised
        UnicodeDecodeError (a plain-text 500); a body that is not an object is refused too."""
        try:
            decoded = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise HTTPException(400, f"The request body is not valid UTF-8 JSON. {_SEND}") from None
        if not isinstance(decoded, dict):
            raise HTTPException(400, f"The request body is not a JSON object. {_SEND}")
        return decoded

    def encode_json(self, data: object) -> str:
        """Text, because Strawberry sends bytes on a websocket as binary frames, which the npm
        `graphql-ws` client refuses (closes with 4004)."""
        return orjson.dumps(data).decode()

    def create_response(self, response_data: object,
                        sub_response: Response) -> Response:
        """HTTP answers skip the text round trip: orjson's bytes go out as they are."""
        response = Response(orjson.dumps(response_data), media_type="application/json",
                            status_code=sub_response.status_code or 200,
                            background=sub_response.background)
        response.headers.raw.extend(sub_response.headers.raw)
        return response


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
REQUEST_ERROR_CODES = {PARSE_FAILED, VALIDATION_FAILED, BAD_REQUEST, *trusted_documents.CODES}
"""The codes of a request refused before it ran (schema/core/request_errors.py,
schema/core/trusted_documents.py)."""


def _as_graphql_response_json(response: Response) -> Response:
    """GraphQL over HTTP's own media type, for clients that ask for it. A request refused
    before it ran (syntax, validation, variables: Strawberry answers `"data": null`) is then
    a "request error": 400 and no `data` entry, as the spec requires for this media type. An
    answer that ran stays 200, even when a field failed."""
    answer = orjson.loads(response.body)
    body, status = response.body, response.status_code
    if status == 200 and _refused_before_running(answer):
        answer.pop("data", None)
        body, status = orjson.dumps(answer), 400
    converted = Response(body, status_code=status, media_type=GRAPHQL_RESPONSE_JSON,
                         background=response.background)
    converted.headers.raw.extend((name, value) for name, value in response.headers.raw
                                 if name not in {b"content-type", b"content-length"})
    return converted


def _refused_before_running(answer: object) -> bool:
    if not isinstance(answer, dict) or answer.get("data") is not None:
        return False
    codes = {(error.get("extensions") or {}).get("code") for error in answer.get("errors", [])}
    return bool(codes) and codes <= REQUEST_ERROR_CODES


_SEND = 'Send {"query": "...", "variables": {...}} as UTF-8 JSON.'
_HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def _authorization(params: object) -> str:
    if not isinstance(params, dict):
        return ""
    return next((str(value) for key, value in params.items()
                 if str(key).lower() == "authorization"), "")


def _note_account(caller: Caller) -> None:
    """The account's id (never its email) goes on the request's log line."""
    facts = request_log.current()
    if facts is not None and caller.account is not None:
        facts.account_id = str(caller.account.id)


async def _sign_in(settings: Settings, header: str, caller: Caller) -> None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        await authenticate(settings, token.strip(), caller)


async def health(_: Request) -> JSONResponse:
    """Liveness plus a database round trip, for load balancers."""
    try:
        await get_connection("default").execute_query("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def readiness(events: Events) -> Route:
    """`/health/ready`: 503 while this process should get no traffic: the database does not
    answer, it lacks a migration this code ships (a rolling deploy started the new code
    before `migrate`), or it cannot hear events (its LISTEN or Redis connection is
    reconnecting), so a load balancer sends requests elsewhere. `/health` stays liveness.
    Once current, the migrations are not queried again."""
    migrated = False

    async def ready(_: Request) -> JSONResponse:
        nonlocal migrated
        try:
            migrated = migrated or not await db.pending_migrations()
            database = "ok"
        except Exception:
            database = "down"
        schema = "ok" if migrated else "pending" if database == "ok" else "unknown"
        checks = {"database": database, "migrations": schema,
                  "events": "ok" if events.ready else "down"}
        status = "ok" if set(checks.values()) == {"ok"} else "unavailable"
        return JSONResponse({"status": status, **checks},
                            status_code=200 if status == "ok" else 503)
    return Route("/health/ready", ready)


def process_state(events: Events) -> Callable[[], None]:
    """Sets this process's gauges: its event-bus connection and its database pool's use."""
    def update() -> None:
        pool = getattr(get_connection("default"), "_pool", None) if _orm_open() else None
        metrics.record_process(
            event_bus_connected=events.ready,
            pool_size=pool.get_size() if pool is not None else None,
            pool_idle=pool.get_idle_size() if pool is not None else None)
    return update


def _orm_open() -> bool:
    try:
        get_connection("default")
    except Exception:
        return False
    return True


async def _stop_sender(settings: Settings, sender: asyncio.Task[None],
                       stop: asyncio.Event) -> None:
    """Let the mail sender finish the message in hand, so a restart does not send it twice."""
    stop.set()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(sender, timeout=settings.smtp_timeout_seconds + 5)


def create_app(settings: Settings, *, manage_database: bool = True,
               events: Events | None = None) -> Starlette:
    """Build the app. Tests that open the database (and events) themselves pass
    manage_database=False and their own started `events`."""
    bus = events or events_for(settings)
    graphql = GraphQLApp(settings, bus)
    update_process = process_state(bus)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        # RegisterTortoise enables Tortoise's global fallback: requests run in other tasks
        # than this lifespan and would otherwise see "No TortoiseContext" (PITFALLS.md).
        with sqlite_lock.only_process(settings.database_url):
            async with RegisterTortoise(app, config=db.tortoise_config(settings.database_url)):
                await bus.start()
                stop = asyncio.Event()
                sender = asyncio.create_task(outbox_sender.run_sender(settings, stop),
                                             name="outbox")
                reminder = asyncio.create_task(reminders.run_reminders(settings, stop),
                                               name="reminders")
                builder = asyncio.create_task(data_exports.run_builder(settings, stop),
                                              name="data-exports")
                sweeper = asyncio.create_task(retention.run_retention(settings, stop),
                                              name="retention")
                try:
                    yield
                finally:
                    await _stop_sender(settings, sender, stop)
                    await _stop_sender(settings, reminder, stop)
                    await _stop_sender(settings, builder, stop)
                    await _stop_sender(settings, sweeper, stop)
                    await bus.stop()

    redact_access_log()
    brief_pool_outages()
    # Outermost first: the client's real address for everything, CORS headers even on errors.
    middleware = [Middleware(ProxyHeadersMiddleware,
                             trusted_hosts=list(settings.trusted_proxies)),
                  Middleware(request_log.RequestLog, after=update_process)]
    if settings.cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"], allow_headers=["authorization", "content-type"],
        ))
    middleware += [
        Middleware(AnswerUnavailable),
        Middleware(BodyLimit, default_bytes=settings.max_body_bytes,
                   per_path={"/webhooks/stripe": settings.stripe_webhook_max_body_bytes}),
    ]
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/graphql", graphql_options, methods=["OPTIONS"]),
            WebSocketRoute("/graphql", graphql),
            Route("/health", health),
            readiness(bus),
            Route("/metrics", metrics_endpoint(settings, update_process), methods=["GET"]),
            Route("/calendar/{token}.ics", calendar_feed, methods=["GET"]),
            Route("/sessions/{session_id}.ics", session_calendar_file_endpoint(settings),
                  methods=["GET"]),
            Route("/receipts/{payment_id}.pdf", receipt_endpoint(settings), methods=["GET"]),
            Route("/exports/{token}.zip", data_export_download, methods=["GET"]),
            Route("/webhooks/stripe", stripe_webhook_endpoint(settings, bus), methods=["POST"]),
            *live_client_routes(settings),
            *graphiql_routes(settings),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def from_environment() -> Starlette:
    """The app as uvicorn's `--factory` builds it in each worker process, from the environment's
    settings. It neither migrates nor seeds: several workers would race to; run
    `python app.py migrate` once before starting them."""
    settings = settings_module.from_env()
    request_log.configure_logging(settings.log_format)
    app = create_app(settings)
    garbage_collection.tune_for_serving()
    return app



def export_schema(settings: Settings) -> str:
    return build_schema(settings).as_str() + "\n"


if __name__ == "__main__":
    from cli import cli

    cli()
