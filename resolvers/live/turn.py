"""ICE servers for a call: STUN, and TURN with credentials that expire (the TURN REST scheme).

coturn's `use-auth-secret` accepts a username `<unix expiry>:<anything>` whose password is
base64(HMAC-SHA1(static-auth-secret, username)), until the expiry. The participant id in the
username is the attendance row's id: opaque, it names neither the person nor the session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from settings import Settings


@dataclass(frozen=True)
class IceServer:
    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None


def turn_credential(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def ice_servers(settings: Settings, participant_id: UUID, now: datetime) -> list[IceServer]:
    servers = []
    if settings.stun_urls:
        servers.append(IceServer(urls=settings.stun_urls))
    if settings.turn_urls:
        expiry = int(now.timestamp()) + settings.turn_credential_seconds
        username = f"{expiry}:{participant_id.hex}"
        servers.append(IceServer(urls=settings.turn_urls, username=username,
                                 credential=turn_credential(settings.turn_secret, username)))
    return servers
