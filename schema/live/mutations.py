"""Joining, leaving and signalling a session's call; the use cases are in resolvers/live/."""

from __future__ import annotations

import strawberry

from resolvers import live
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.ids import node_uuid
from schema.live.types import Call


@strawberry.input(description="The session whose call to join, and this device's key for it.")
class JoinSessionInput:
    session_id: strawberry.ID = strawberry.field(
        description="The Session's global id; NOT_FOUND unless you are its client or professional.")
    device_public_key: str = strawberry.field(
        description="base64url raw 32-byte X25519 public key, made fresh for this call.")


@strawberry.input(description="The session whose call to leave.")
class LeaveSessionInput:
    session_id: strawberry.ID = strawberry.field(
        description="The Session's global id; NOT_JOINED when you are not in its call.")


@strawberry.input(description="One sealed signal for the other participant of a call.")
class SendSignalInput:
    session_id: strawberry.ID = strawberry.field(
        description="The Session's global id; join it first (NOT_JOINED otherwise).")
    payload: str = strawberry.field(
        description="The sealed signal, base64url; the server never parses it. At most "
                    "SIGNAL_MAX_BYTES.")


@strawberry.type(description="The call as you joined it; userErrors say why not (TOO_EARLY, "
                             "SESSION_OVER, SESSION_NOT_SCHEDULED, NOT_FOUND).")
class JoinSessionPayload(Payload):
    call: Call | None = strawberry.field(
        default=None, description="What the browser needs to connect: ICE servers and the peer; "
                                  "null when userErrors is not empty.")


@strawberry.type(description="The call after you left it.")
class LeaveSessionPayload(Payload):
    call: Call | None = strawberry.field(
        default=None, description="The call with you no longer present (iceServers empty); "
                                  "null when userErrors is not empty.")


@strawberry.type(description="Whether the signal went out; userErrors name SIGNAL_TOO_LARGE, "
                             "RATE_LIMITED or NOT_JOINED.")
class SendSignalPayload(Payload):
    accepted: bool = strawberry.field(default=False,
                                      description="True when it was relayed to the peer.")


@strawberry.type
class LiveMutations:
    @strawberry.mutation(description="Join a session's call (its client or professional, from "
                                     "JOIN_WINDOW_MINUTES before the start until the end). "
                                     "Joining again replaces the device key.")
    @user_errors_as(JoinSessionPayload)
    async def join_session(self, info: Info, input: MutationInput[JoinSessionInput]
                           ) -> JoinSessionPayload:
        call = await live.join_session(info.context.caller, node_uuid(input.session_id, "Session"),
                                       input.device_public_key)
        return JoinSessionPayload(call=Call.of(call))

    @strawberry.mutation(description="Leave a session's call; the peer hears PEER_LEFT.")
    @user_errors_as(LeaveSessionPayload)
    async def leave_session(self, info: Info, input: MutationInput[LeaveSessionInput]
                            ) -> LeaveSessionPayload:
        call = await live.leave_session(info.context.caller,
                                        node_uuid(input.session_id, "Session"))
        return LeaveSessionPayload(call=Call.of(call))

    @strawberry.mutation(description="Relay one sealed signal to the other participant.")
    @user_errors_as(SendSignalPayload)
    async def send_signal(self, info: Info, input: MutationInput[SendSignalInput]
                          ) -> SendSignalPayload:
        await live.send_signal(info.context.caller, node_uuid(input.session_id, "Session"),
                               input.payload)
        return SendSignalPayload(accepted=True)
