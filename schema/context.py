"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from resolvers.caller import Caller


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    caller: Caller
    connection_params: dict[str, object] | None = None
    """A websocket's `connection_init` payload; browsers cannot send headers there."""


Info = strawberry.Info[Context, None]
