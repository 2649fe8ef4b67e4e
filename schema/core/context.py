"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from resolvers.core.caller import Caller
from schema.core.loaders import Loaders
from schema.core.viewpoint import Viewpoint


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    caller: Caller
    connection_params: dict[str, object] | None = None
    """A websocket's `connection_init` payload; browsers cannot send headers there."""
    loaders: Loaders = field(default_factory=Loaders)
    """Fresh per request (and per subscription event), so no cache outlives what it serves."""

    @cached_property
    def viewpoint(self) -> Viewpoint:
        """The caller's zone and this request's instant, for every session in the answer."""
        return Viewpoint.of(self.caller)


Info = strawberry.Info[Context, None]


def viewer_time_zone(info: Info) -> str:
    """The signed-in person's IANA zone; local times and months are shown in it."""
    account = info.context.caller.account
    return account.time_zone if account is not None else "UTC"
