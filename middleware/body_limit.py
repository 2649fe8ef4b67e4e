"""Refuses request bodies over a size limit before they are read into memory.

A body's size is known up front only when it has a Content-Length; with chunked transfer it is
known only as it arrives. So a declared length over the limit is refused at once, and every
body is counted as the app reads it: the chunk that crosses the limit ends the request with
413 instead of being handed on. Nothing here buffers the body.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from middleware.json_errors import json_error

CODE = "PAYLOAD_TOO_LARGE"


class _TooLarge(Exception):
    """Raised from `receive` into the app, caught again here: the app never sees the chunk."""


class BodyLimit:
    def __init__(self, app: ASGIApp, *, default_bytes: int,
                 per_path: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.per_path = per_path or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(limit, scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if started:
                raise
            await _refuse(limit, scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = json_error(
        413, CODE, f"The request body is over the limit of {limit} bytes. Send less at once "
                   "(large files are not accepted here).")
    await response(scope, receive, send)
