"""Progress figures in the API: how an engagement has gone, for the hub and the practice."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

import strawberry

from resolvers.practice.progress import Progress as ProgressFigures


@strawberry.type(description="Attended sessions in one month, for a small chart.")
class MonthCount:
    month: date = strawberry.field(description="The month's first day, in the viewer's zone.")
    attended: int = strawberry.field(description="Completed sessions that started in that month.")


@strawberry.type(description="How an engagement has gone so far, counted by the database.")
class Progress:
    attended: int = strawberry.field(description="Completed sessions.")
    cancelled: int = strawberry.field(description="Cancelled in time (not late).")
    late_cancelled: int = strawberry.field(
        description="Cancelled by the client inside the service's cancellation window."
    )
    no_shows: int = strawberry.field(description="Sessions marked NO_SHOW.")
    scheduled: int = strawberry.field(
        description="Booked and not yet completed, cancelled or marked a no-show."
    )
    first_session_at: datetime | None = strawberry.field(
        description="Start of the first attended session."
    )
    last_session_at: datetime | None = strawberry.field(
        description="Start of the latest attended session."
    )
    next_session_at: datetime | None = strawberry.field(
        description="Start of the next booked session that has not ended."
    )
    average_days_between: float | None = strawberry.field(
        description="Mean days between attended sessions, one decimal; null below two."
    )
    per_month: list[MonthCount] = strawberry.field(
        description="Attended sessions in each of the last 12 months, oldest first, the "
                    "current month last."
    )

    @classmethod
    def of(cls, figures: ProgressFigures) -> Self:
        return cls(
            attended=figures.attended, cancelled=figures.cancelled,
            late_cancelled=figures.late_cancelled, no_shows=figures.no_shows,
            scheduled=figures.scheduled, first_session_at=figures.first_session_at,
            last_session_at=figures.last_session_at, next_session_at=figures.next_session_at,
            average_days_between=figures.average_days_between,
            per_month=[MonthCount(month=m.month, attended=m.attended)
                       for m in figures.per_month],
        )
