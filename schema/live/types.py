"""Live-session types: a call, its participants and ICE servers, and the signal stream's events."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from models import live as live_models
from resolvers import live
from schema.core.enums import described_enum
from schema.core.ids import global_id

described_enum(live_models.ParticipantRole, {
    live_models.ParticipantRole.CLIENT: "The client the session is for.",
    live_models.ParticipantRole.PROFESSIONAL: "The professional who gives the session.",
}, name="ParticipantRole", description="Which side of a session's call a participant is on.")
ParticipantRole = live_models.ParticipantRole

described_enum(live.SignalEventKind, {
    live.SignalEventKind.SIGNAL: "A sealed blob from the peer (offer, answer or ICE "
                                 "candidate): open it with your device key; see payload.",
    live.SignalEventKind.PEER_JOINED: "The peer is in the call, with the device key to seal "
                                      "signals to; also sent first when they are already there "
                                      "as you subscribe, and again when they rejoin with a new "
                                      "key.",
    live.SignalEventKind.PEER_LEFT: "The peer left (or closed the tab); keep listening, they "
                                    "may come back.",
    live.SignalEventKind.SESSION_ENDED: "The session was cancelled, moved, closed or is over; "
                                        "hang up: the stream ends after this event.",
}, name="SignalEventKind", description="What a signals event carries: a signal, the peer's "
                                       "presence, or the end of the call.")
SignalEventKind = live.SignalEventKind


@strawberry.type(description="A STUN or TURN server for RTCPeerConnection's iceServers.")
class IceServer:
    urls: list[str] = strawberry.field(
        description="stun: or turn: URLs, as RTCIceServer.urls takes them.")
    username: str | None = strawberry.field(
        description="TURN only: `<unix expiry>:<opaque participant id>`.")
    credential: str | None = strawberry.field(
        description="TURN only: valid until the expiry in the username "
                    "(TURN_CREDENTIAL_SECONDS after joining); join again for a fresh one.")

    @classmethod
    def of(cls, server: live.IceServer) -> Self:
        return cls(urls=list(server.urls), username=server.username,
                   credential=server.credential)


@strawberry.type(description="One participant of a call, as the other side sees them.")
class CallParticipant:
    role: ParticipantRole = strawberry.field(
        description="Whether this is the client or the professional.")
    name: str = strawberry.field(description="The name the other side knows them by.")
    present: bool = strawberry.field(description="Joined and not left.")
    device_public_key: str | None = strawberry.field(
        description="base64url (no padding) raw 32-byte X25519 public key of their device in "
                    "this call; null until they joined.")
    first_joined_at: datetime | None = strawberry.field(
        description="When they first joined this session (attendance).")
    joined_at: datetime | None = strawberry.field(description="Their latest join.")
    left_at: datetime | None = strawberry.field(
        description="When they left after their latest join; null while present.")

    @classmethod
    def of(cls, state: live.ParticipantState) -> Self:
        return cls(role=state.role, name=state.name, present=state.present,
                   device_public_key=state.device_public_key,
                   first_joined_at=state.first_joined_at, joined_at=state.joined_at,
                   left_at=state.left_at)


@strawberry.type(description="Your place in a session's call: what the browser needs to connect.")
class Call:
    session_id: strawberry.ID = strawberry.field(description="The Session's global id.")
    role: ParticipantRole = strawberry.field(description="Your role in this call.")
    ice_servers: list[IceServer] = strawberry.field(
        description="STUN, and TURN with time-limited credentials; empty after leaving.")
    me: CallParticipant = strawberry.field(description="Yourself as the other side sees you.")
    peer: CallParticipant = strawberry.field(
        description="The other participant (devicePublicKey null until they joined).")
    ends_at: datetime = strawberry.field(
        description="When the session ends (UTC); the call closes then.")

    @classmethod
    def of(cls, call: live.Call) -> Self:
        return cls(session_id=strawberry.ID(global_id("Session", call.session_id)),
                   role=call.role, ice_servers=[IceServer.of(s) for s in call.ice_servers],
                   me=CallParticipant.of(call.me), peer=CallParticipant.of(call.peer),
                   ends_at=call.ends_at)


@strawberry.type(description="Something the signals stream delivers.")
class SignalEvent:
    kind: SignalEventKind = strawberry.field(
        description="What happened: a signal from the peer, or the peer joining or leaving, or "
                    "the session ending.")
    session_id: strawberry.ID = strawberry.field(description="The Session's global id.")
    payload: str | None = strawberry.field(
        description="SIGNAL only: the sealed blob exactly as the peer sent it.")
    peer: CallParticipant | None = strawberry.field(
        description="PEER_JOINED / PEER_LEFT: the peer, with the device key that joined or "
                    "left.")

    @classmethod
    def of(cls, update: live.SignalUpdate) -> Self:
        return cls(kind=update.kind,
                   session_id=strawberry.ID(global_id("Session", update.session_id)),
                   payload=update.payload,
                   peer=CallParticipant.of(update.peer) if update.peer else None)
