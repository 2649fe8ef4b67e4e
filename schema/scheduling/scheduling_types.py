"""Scheduling's own object types: history entries, skipped dates, calendar feeds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from models import scheduling as m
from resolvers.scheduling import calendar_feeds
from resolvers.scheduling.booking import Skipped
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.errors import UserErrorCode
from schema.core.ids import visible_nodes
from schema.practice.practice_types import EngagementSide

described_enum(
    m.SessionStatus, {
        m.SessionStatus.SCHEDULED: "Booked and not yet closed: it can be joined, moved or "
                                   "cancelled.",
        m.SessionStatus.COMPLETED: "The professional marked it held; it may be charged.",
        m.SessionStatus.CANCELLED: "Cancelled in time (or by the professional); not charged.",
        m.SessionStatus.LATE_CANCELLED: "Cancelled by the client inside the cancellation "
                                        "window; may be charged like a completed session.",
        m.SessionStatus.NO_SHOW: "The professional marked that the client did not come.",
    }, name="SessionStatus",
    description="SCHEDULED is coming up; COMPLETED and NO_SHOW happened (or not); CANCELLED and "
                "LATE_CANCELLED (by the client inside the cancellation window) free the time.",
)
SessionStatus = m.SessionStatus


described_enum(
    m.ChangeReason, {
        m.ChangeReason.RESCHEDULED: "Moved to another time (the status stays SCHEDULED).",
        m.ChangeReason.LATE: "Cancelled by the client inside the cancellation window.",
        m.ChangeReason.ENGAGEMENT_ENDED: "Cancelled because its engagement ended.",
    }, name="SessionChangeReason",
    description="RESCHEDULED: moved to another time. LATE: cancelled by the client inside the "
                "cancellation window. ENGAGEMENT_ENDED: cancelled because the engagement ended.",
)
SessionChangeReason = m.ChangeReason


@strawberry.type(description="One change of a session: booked, moved, cancelled, completed...")
class SessionChange:
    from_status: SessionStatus | None = strawberry.field(description="Null when it was booked.")
    to_status: SessionStatus = strawberry.field(description="The status after the change.")
    starts_at: datetime = strawberry.field(description="The times after the change.")
    ends_at: datetime = strawberry.field(description="The end after the change (UTC).")
    changed_by: EngagementSide | None = strawberry.field(description="Null: the system.")
    reason_code: SessionChangeReason | None = strawberry.field(
        description="Why, when the statuses alone do not say; null otherwise.")
    at: datetime = strawberry.field(description="When the change was made (UTC).")


@strawberry.type(description="A date of a series that could not be booked, and why.")
class SkippedOccurrence:
    starts_at: datetime = strawberry.field(description="The start that was asked for (UTC).")
    code: UserErrorCode = strawberry.field(
        description="Why it was skipped, e.g. SLOT_TAKEN or OUTSIDE_AVAILABILITY.")
    message: str = strawberry.field(
        description="Why it was skipped, in words safe to show the person.")

    @classmethod
    def of(cls, skipped: Skipped) -> Self:
        return cls(starts_at=skipped.starts_at, code=skipped.code, message=skipped.message)


@strawberry.type(description="A private calendar link; its URL is shown only when created.")
class CalendarFeed(relay.Node):
    feed_id: relay.NodeID[str]
    created_at: datetime = strawberry.field(description="When the link was made (UTC).")
    last_fetched_at: datetime | None = strawberry.field(
        description="When a calendar app last read it.")
    revoked_at: datetime | None = strawberry.field(
        description="When the link was revoked (UTC); null while it works.")

    @classmethod
    def of(cls, feed: m.CalendarFeed) -> Self:
        return cls(feed_id=str(feed.id), created_at=feed.created_at,
                   last_fetched_at=feed.last_fetched_at, revoked_at=feed.revoked_at)

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the owner sees a feed."""
        account = info.context.caller.account
        return await visible_nodes(node_ids, lambda ids: calendar_feeds.visible_feeds(account, ids),
                                   cls.of)
