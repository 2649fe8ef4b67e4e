"""HTTP route for private calendar feeds (RFC 5545) that calendar apps subscribe to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from resolvers.scheduling import calendar_feeds


async def calendar_feed(request: Request) -> Response:
    """GET /calendar/{token}.ics (the URL createCalendarFeed shows once); unknown and revoked
    links are 404 alike."""
    body = await calendar_feeds.feed_for_token(request.path_params["token"])
    if body is None:
        return PlainTextResponse("Not found", 404)
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Cache-Control": "private, max-age=300",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    })
