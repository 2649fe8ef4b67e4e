"""GET /metrics for Prometheus: only from METRICS_NETWORKS or with `Bearer METRICS_TOKEN`.

Anyone else gets the 404 (plain `Not Found`) an unknown path gets, so the endpoint does not
show that it exists. The address checked is the client's as ProxyHeadersMiddleware left it: a
request through a trusted proxy counts as the public client it forwards, never as the proxy.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from middleware import metrics
from resolvers.core.backlog import backlog
from settings import Settings


def allowed(settings: Settings, request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if settings.metrics_token and scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), settings.metrics_token.encode()):
        return True
    if not settings.metrics_networks or request.client is None:
        return False
    try:
        address = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False)
               for network in settings.metrics_networks)


def metrics_endpoint(settings: Settings, update_process: Callable[[], None]
                     ) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if not allowed(settings, request):
            return PlainTextResponse("Not Found", status_code=404)
        update_process()
        figures = await backlog()
        return Response(metrics.exposition({
            "therapyhub_outbox_waiting": ("Emails not sent yet.", figures.outbox_waiting),
            "therapyhub_outbox_failed": ("Emails given up on after MAIL_MAX_ATTEMPTS.",
                                         figures.outbox_failed),
            "therapyhub_outbox_oldest_seconds": ("Age of the oldest email not sent yet.",
                                                 figures.outbox_oldest_seconds),
            "therapyhub_reminder_lag_seconds": ("How long the most overdue session reminder "
                                                "has been due.", figures.reminder_lag_seconds),
        }), media_type=metrics.CONTENT_TYPE_LATEST)
    return endpoint
