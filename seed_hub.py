"""Demo session history, so the hub and the practice views show something on a fresh start.

Past sessions cannot be booked through the booking use cases (they refuse the past), so the
history is written through the scheduling model, from the demo engagements seed.py created:
weekly sessions over the last months, a late cancellation, a no-show, and a few booked ahead.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from models.practice import Engagement, EngagementStatus
from models.scheduling import Session, SessionStatus

HISTORY = [
    # (client, service title, hour (UTC), weeks of history, weekday, statuses by week back)
    ("thorunn@demo.therapyhub.test", "Psychological counselling", 10, 12, 1,
     {5: SessionStatus.LATE_CANCELLED, 9: SessionStatus.NO_SHOW}),
    ("thorunn@demo.therapyhub.test", "Physiotherapy assessment and treatment", 15, 4, 3, {}),
    ("maya@demo.therapyhub.test", "Psychological counselling", 13, 6, 1,
     {2: SessionStatus.CANCELLED}),
    ("lukasz@demo.therapyhub.test", "Career counselling", 17, 8, 2, {}),
]


async def seed_session_history() -> None:
    if await Session.exists():
        return
    now = datetime.now(UTC)
    today = datetime.combine(now.date(), time(), UTC)
    for email, title, hour, weeks, weekday, statuses in HISTORY:
        engagement = await Engagement.get(
            client__email=email, service__title=title, status=EngagementStatus.ACTIVE,
        ).select_related("service__professional")
        service = engagement.service
        week_start = today - timedelta(days=today.weekday())
        for back in range(-1, weeks + 1):
            starts = week_start - timedelta(weeks=back, days=-weekday, hours=-hour)
            if starts > now:
                status = SessionStatus.SCHEDULED
            else:
                status = statuses.get(back, SessionStatus.COMPLETED)
            await Session.create(
                engagement=engagement, professional_id=service.professional.account_id,
                client_id=engagement.client_id, starts_at=starts,
                ends_at=starts + timedelta(minutes=service.session_minutes),
                length_minutes=service.session_minutes, price_amount=service.price_amount,
                currency=service.currency,
                vat_rate_basis_points=service.vat_rate_basis_points,
                booked_by_id=service.professional.account_id, status=status,
            )
