"""HTTP routes for iCalendar files (RFC 5545): the private feeds calendar apps subscribe to, and
one session's "Add to calendar" file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from resolvers.scheduling import calendar_feeds, session_calendar_files
from settings import Settings

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def calendar_feed(request: Request) -> Response:
    """GET /calendar/{token}.ics (the URL createCalendarFeed shows once); unknown and revoked
    links are 404 alike."""
    body = await calendar_feeds.feed_for_token(request.path_params["token"])
    if body is None:
        return PlainTextResponse("Not found", 404)
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Cache-Control": "private, max-age=300", **_HEADERS})


def session_calendar_file_endpoint(settings: Settings
                                   ) -> Callable[[Request], Awaitable[Response]]:
    async def session_calendar_file(request: Request) -> Response:
        """GET /sessions/{id}.ics?for=…&expires=…&signature=… (the API's
        `Session.calendarFileUrl`): a download the browser hands to the calendar app."""
        params = request.query_params
        body = await session_calendar_files.open_calendar_file(
            settings, request.path_params["session_id"], for_account=params.get("for", ""),
            expires=params.get("expires", ""), signature=params.get("signature", ""))
        if body is None:
            return PlainTextResponse(
                "This calendar link has expired or is not yours: open the session in the app "
                "and add it to your calendar again.", 404, headers=_HEADERS)
        return Response(body, media_type="text/calendar; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="session.ics"',
            "Cache-Control": "private, no-store", **_HEADERS})
    return session_calendar_file
