"""HTTP routes for payments: a receipt PDF behind a signed link, and Stripe's webhooks."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from resolvers import receipt_links, stripe_webhooks
from settings import Settings

log = logging.getLogger("therapyhub.payments")

_REFUSALS = {403: "Forbidden", 404: "Not found"}


Endpoint = Callable[[Request], Awaitable[Response]]


def receipt_endpoint(settings: Settings) -> Endpoint:
    async def receipt(request: Request) -> Response:
        """GET /receipts/{id}.pdf?for=…&expires=…&signature=… (the API's `receiptUrl`)."""
        params = request.query_params
        result = await receipt_links.open_receipt(
            settings, request.path_params["payment_id"], for_account=params.get("for", ""),
            expires=params.get("expires", ""), signature=params.get("signature", ""),
        )
        if isinstance(result, receipt_links.Refused):
            return PlainTextResponse(_REFUSALS[result.status], result.status)
        return Response(result, media_type="application/pdf", headers={
            "Content-Disposition": 'inline; filename="receipt.pdf"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        })
    return receipt


def stripe_webhook_endpoint(settings: Settings) -> Endpoint:
    async def stripe_webhook(request: Request) -> Response:
        """POST /webhooks/stripe: Stripe's events, on the raw body its signature covers."""
        try:
            outcome = await stripe_webhooks.receive(
                settings, await request.body(), request.headers.get("stripe-signature"))
        except stripe_webhooks.WebhookRefused as refused:
            log.warning("Stripe webhook refused (%s): %s", refused.status, refused)
            return JSONResponse({"error": str(refused)}, refused.status)
        return JSONResponse({"received": True, "outcome": outcome})
    return stripe_webhook
