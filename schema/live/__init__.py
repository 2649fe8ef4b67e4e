"""Live sessions in the API: joinSession, leaveSession, sendSignal and the signals stream."""

from __future__ import annotations

from schema.live.mutations import LiveMutations
from schema.live.subscriptions import LiveSubscriptions
from schema.live.types import Call, CallParticipant, IceServer, SignalEvent

__all__ = ["Call", "CallParticipant", "IceServer", "LiveMutations", "LiveSubscriptions",
           "SignalEvent"]
