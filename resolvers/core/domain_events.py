"""In-process domain events: how a lower domain lets a higher one react without importing it.

Domains depend in one direction (docs/ARCHITECTURE.md): practice never imports scheduling,
scheduling never imports payments. Where the lower one must still cause a reaction above it
(an ended engagement cancels its sessions), it publishes a small frozen dataclass it defines,
and the higher domain subscribes a handler (resolvers/reactions.py, when the app is imported).

`publish` awaits every handler where it is called: inside the publisher's transaction the
reaction is part of it (and a handler that raises rolls it all back); after the commit it is
not. Not a queue: nothing is stored, retried, or run in another task.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

E = TypeVar("E")

_handlers: dict[type, list[Callable[[Any], Awaitable[object]]]] = {}


def subscribe(kind: type[E], handler: Callable[[E], Awaitable[object]]) -> None:
    """Run `handler` for every published `kind`; subscribing the same handler twice is one."""
    handlers = _handlers.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)


async def publish(event: object) -> None:
    """Run the handlers of this event's type in the order they subscribed."""
    for handler in _handlers.get(type(event), ()):
        await handler(event)
