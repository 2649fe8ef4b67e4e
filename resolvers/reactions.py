"""Which domain reacts to which lower domain's events: the one place that wires them.

A lower domain publishes (resolvers/core/domain_events.py); the domain above it owns the
handler. `connect` is called when the app is imported, before any request runs.
"""

from __future__ import annotations

from resolvers.core import domain_events
from resolvers.payments.charges import charge_closed_session
from resolvers.practice.engagements import EngagementEnded
from resolvers.scheduling.session_changes import SessionClosed, cancel_for_ended_engagement


def connect() -> None:
    """Subscribe every handler; calling it again changes nothing."""
    domain_events.subscribe(EngagementEnded, cancel_for_ended_engagement)
    domain_events.subscribe(SessionClosed, charge_closed_session)
