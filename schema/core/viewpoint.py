"""The viewer's standpoint for one request: their zone, the join window, and the request's instant.

GraphQL plumbing, not a use case: `Session.of` reads it to give local times and `canJoin` as
plain fields, which GraphQL execution serves several times faster than resolved ones
(BENCHMARKS.md, hub).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from models.scheduling import Session, SessionStatus
from resolvers.core.caller import Caller


@dataclass(frozen=True)
class Viewpoint:
    """Who is looking, from where and when: a session's local times and whether it can be
    joined depend on it. Taken once per request, so every session in an answer agrees."""

    zone: ZoneInfo
    join_window: timedelta
    now: datetime

    @classmethod
    def of(cls, caller: Caller) -> Viewpoint:
        account = caller.account
        return cls(zone=ZoneInfo(account.time_zone if account is not None else "UTC"),
                   join_window=timedelta(minutes=caller.settings.join_window_minutes),
                   now=datetime.now(UTC))

    def join_opens_at(self, session: Session) -> datetime:
        return session.starts_at - self.join_window

    def can_join(self, session: Session) -> bool:
        """From a few minutes before the start until the end, while the session is booked."""
        return (session.status is SessionStatus.SCHEDULED
                and self.join_opens_at(session) <= self.now < session.ends_at)
