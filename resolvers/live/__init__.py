"""Live sessions: joining a call, relaying its sealed signals, attendance and presence."""

from __future__ import annotations

from resolvers.live.joining import Call, join_session, leave_session
from resolvers.live.presence import ParticipantState
from resolvers.live.signals import send_signal
from resolvers.live.stream import SignalEventKind, SignalUpdate, signal_updates
from resolvers.live.turn import IceServer

__all__ = [
    "Call", "IceServer", "ParticipantState", "SignalEventKind", "SignalUpdate", "join_session",
    "leave_session", "send_signal", "signal_updates",
]
