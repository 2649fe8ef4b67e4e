"""Joining, leaving and signalling a session's call; the use cases are in resolvers/live/."""

from __future__ import annotations

import strawberry

from resolvers import live
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.ids import node_uuid
from schema.live.types import Call


@strawberry.input
class JoinSessionInput:
    session_id: strawberry.ID
    device_public_key: str = strawberry.field(
        description="base64url raw 32-byte X25519 public key, made fresh for this call.")


@strawberry.input
class LeaveSessionInput:
    session_id: strawberry.ID


@strawberry.input
class SendSignalInput:
    session_id: strawberry.ID
    payload: str = strawberry.field(
        description="The sealed signal, base64url; the server never parses it. At most "
                    "SIGNAL_MAX_BYTES.")


@strawberry.type
class JoinSessionPayload(Payload):
    call: Call | None = None


@strawberry.type
class LeaveSessionPayload(Payload):
    call: Call | None = None


@strawberry.type
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
