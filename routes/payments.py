"""HTTP routes for payments: a receipt PDF behind a signed link, and Stripe's webhooks."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from gateways.events import Events
from resolvers.payments import receipt_links, stripe_webhooks
from settings import Settings

log = logging.getLogger("therapyhub.payments")

_REFUSALS = {
    403: ("This receipt link has expired",
          "Receipt links work for a few minutes only. Go back to the app and open the receipt "
          "again."),
    404: ("This receipt is not available",
          "It does not exist, or it is not yours. Open your receipts from the app."),
}
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
<h1 style="font-size: 1.4rem">{title}</h1><p>{advice}</p></body></html>"""
_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


Endpoint = Callable[[Request], Awaitable[Response]]


def receipt_endpoint(settings: Settings) -> Endpoint:
    async def receipt(request: Request) -> Response:
        """GET /receipts/{id}.pdf?for=…&expires=…&signature=… (the API's `receiptUrl`). A
        refusal is a small page a person can read: the link is opened in a plain browser tab."""
        params = request.query_params
        result = await receipt_links.open_receipt(
            settings, request.path_params["payment_id"], for_account=params.get("for", ""),
            expires=params.get("expires", ""), signature=params.get("signature", ""),
        )
        if isinstance(result, receipt_links.Refused):
            title, advice = _REFUSALS[result.status]
            return HTMLResponse(_PAGE.format(title=title, advice=advice), result.status, headers={
                **_HEADERS, "Content-Security-Policy": "default-src 'none'; style-src "
                                                       "'unsafe-inline'"})
        return Response(result.pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="{result.filename}"', **_HEADERS})
    return receipt


def stripe_webhook_endpoint(settings: Settings, events: Events) -> Endpoint:
    async def stripe_webhook(request: Request) -> Response:
        """POST /webhooks/stripe: Stripe's events, on the raw body its signature covers."""
        try:
            outcome = await stripe_webhooks.receive(
                settings, events, await request.body(), request.headers.get("stripe-signature"))
        except stripe_webhooks.WebhookRefused as refused:
            log.warning("Stripe webhook refused (%s): %s", refused.status, refused)
            return JSONResponse({"error": str(refused)}, refused.status)
        return JSONResponse({"received": True, "outcome": outcome})
    return stripe_webhook
