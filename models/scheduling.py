"""Availability, sessions and their history, and private calendar feeds.

Times are UTC and whole minutes. The overlap rule for live sessions is enforced by the
database (exclusion constraints on PostgreSQL, triggers of the same names on SQLite, plus the
session store's conditional insert there), as are the range rules of migration 0003 (ends
after start, prices, weekday and minutes): see docs/scheduling.md and migrations/invariants.py.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class SessionStatus(StrEnum):
    """The values appear in the exclusion constraints' predicate: never rename them."""

    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"
    NO_SHOW = "no_show"


class ChangeReason(StrEnum):
    """Why a status change happened, when the statuses alone do not say (stored; empty: none)."""

    RESCHEDULED = "rescheduled"
    LATE = "late"
    ENGAGEMENT_ENDED = "engagement_ended"


LIVE_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.COMPLETED, SessionStatus.NO_SHOW)
"""Statuses that occupy time; a cancelled session frees it."""


class ExceptionKind(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AvailabilitySettings(Model):
    """A professional's practice hours settings, in the practice's own time zone (kept apart
    from the person's zone, so travelling does not move their opening hours)."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    professional: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    professional_id: UUID
    time_zone = fields.CharField(max_length=64)
    buffer_minutes = fields.IntField(default=0)
    slot_step_minutes = fields.IntField(null=True)
    """Null: a slot every service length."""
    horizon_days = fields.IntField(default=90)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "availability_settings"


class WeeklyHours(Model):
    """One opening interval on a weekday, in minutes after local midnight (1440 = midnight at
    the end of the day)."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    professional: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    professional_id: UUID
    weekday = fields.SmallIntField()
    """0 is Monday."""
    start_minute = fields.SmallIntField()
    end_minute = fields.SmallIntField()

    class Meta:
        table = "weekly_hours"
        indexes = (("professional_id", "weekday"),)


class AvailabilityException(Model):
    """A dated change to the weekly hours: a day (or part of one) off, or extra hours.

    No free-text label: it would end up holding things like a hospital appointment.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    professional: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    professional_id: UUID
    day = fields.DateField()
    kind = fields.CharEnumField(ExceptionKind, max_length=8)
    start_minute = fields.SmallIntField(null=True)
    end_minute = fields.SmallIntField(null=True)
    """Both null only for a whole-day closure."""

    class Meta:
        table = "availability_exception"
        indexes = (("professional_id", "day"),)


class SessionSeries(Model):
    """A recurring booking, so the app can show "weekly, 10 sessions" and cancel onward."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    engagement: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "practice.Engagement", related_name="series", on_delete=fields.RESTRICT
    )
    engagement_id: UUID
    every_weeks = fields.SmallIntField()
    count = fields.SmallIntField(null=True)
    until = fields.DateField(null=True)
    created_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.RESTRICT
    )
    created_by_id: UUID
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "session_series"
        indexes = (("engagement_id",), ("created_by_id",))


class Session(Model):
    """One appointment of a client with a professional, for one engagement.

    The professional and client ids are copied from the engagement at booking and never
    change: the overlap constraints need them on the row. Price, currency, length and VAT are
    a snapshot of the service at booking time.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    """Also the iCalendar UID."""
    engagement: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "practice.Engagement", related_name="sessions", on_delete=fields.RESTRICT
    )
    engagement_id: UUID
    professional: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.RESTRICT
    )
    professional_id: UUID
    client: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.RESTRICT
    )
    client_id: UUID
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    status = fields.CharEnumField(SessionStatus, max_length=16, default=SessionStatus.SCHEDULED)
    length_minutes = fields.IntField()
    price_amount = fields.BigIntField()
    """Integer minor units of `currency`, as on the service."""
    currency = fields.CharField(max_length=3)
    vat_rate_basis_points = fields.IntField(default=0)
    cancellation_window_hours = fields.SmallIntField(default=24, db_default=24)
    """The service's cancellation window when it was booked: changing the service's policy
    later does not make a client's earlier booking late to cancel."""
    series: fields.ForeignKeyNullableRelation[SessionSeries] = fields.ForeignKeyField(
        "scheduling.SessionSeries", related_name="sessions", null=True,
        on_delete=fields.SET_NULL,
    )
    series_id: UUID | None
    sequence = fields.IntField(default=0)
    """iCalendar SEQUENCE: +1 on every reschedule or cancellation."""
    booked_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.RESTRICT
    )
    booked_by_id: UUID
    cancelled_at = fields.DatetimeField(null=True)
    cancelled_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    cancelled_by_id: UUID | None
    cancellation_reason_sealed = fields.BinaryField(null=True)
    """Encrypted under the server key (a reason may say something about health), shown only to
    the two participants, never in email or .ics."""
    professional_joined_at = fields.DatetimeField(null=True)
    client_joined_at = fields.DatetimeField(null=True)
    reminder_due_at = fields.DatetimeField(null=True, db_index=True)
    """When to enqueue the reminder, null once enqueued (or when none is due)."""
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "scheduling_session"
        indexes = (
            ("professional_id", "starts_at"),
            ("client_id", "starts_at"),
            ("client_id", "ends_at"),
            ("engagement_id", "starts_at"),
            ("engagement_id", "status", "starts_at"),
            ("series_id",),
            ("booked_by_id",),
            ("cancelled_by_id",),
        )


class EngagementProgress(Model):
    """Running totals of an engagement's sessions, kept by database triggers on
    scheduling_session (scheduling migration 0004) in the transaction of every insert, status
    change, move or delete, whoever writes the row; `python app.py rebuild-progress` recomputes
    them from the sessions. Reading progress then costs one row, however long the history.
    An engagement without sessions has no row (all zero)."""

    engagement_id = fields.UUIDField(primary_key=True)
    """The engagement's id. A plain key, not a foreign key: Tortoise's migration state reads a
    one-to-one primary key back under another name and would want a migration forever; the
    sessions' own foreign key already ties every counted session to its engagement."""
    attended = fields.IntField(default=0)
    cancelled = fields.IntField(default=0)
    late_cancelled = fields.IntField(default=0)
    no_shows = fields.IntField(default=0)
    scheduled = fields.IntField(default=0)
    first_attended_at = fields.DatetimeField(null=True)
    last_attended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "scheduling_engagement_progress"


class SessionStatusChange(Model):
    """Append-only history, written in the same transaction as the change."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "scheduling.Session", related_name="history", on_delete=fields.CASCADE
    )
    session_id: UUID
    from_status = fields.CharEnumField(SessionStatus, max_length=16, null=True)
    """Null at booking."""
    to_status = fields.CharEnumField(SessionStatus, max_length=16)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    """The times after the change, so reschedules are visible."""
    changed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    """Null: the system."""
    changed_by_id: UUID | None
    reason_code = fields.CharField(max_length=32, default="")
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "session_status_change"
        indexes = (("session_id", "at"), ("changed_by_id",))


class CalendarFeed(Model):
    """A secret iCalendar URL of one account. Only a keyed hash of its token is stored."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    account_id: UUID
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    last_fetched_at = fields.DatetimeField(null=True)

    class Meta:
        table = "calendar_feed"
        indexes = (("account_id",),)
