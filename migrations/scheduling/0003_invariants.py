"""Indexes on the foreign keys, the rules of sessions and opening hours (migrations/invariants.py),
and on SQLite the triggers that refuse overlapping live sessions, as PostgreSQL's exclusion
constraints do (0001)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

from migrations.invariants import checks, session_no_overlap_on_sqlite

_ENDS_AFTER_START = ("ends_at > starts_at", "julianday(ends_at) > julianday(starts_at)")

class Migration(migrations.Migration):
    dependencies = [('accounts', '0002_known_devices_and_rate_limits'), ('practice', '0002_service_auto_charge'), ('scheduling', '0002_session_cancellation_window')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='CalendarFeed',
            index=Index(fields=['account_id']),
        ),
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['series_id']),
        ),
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['booked_by_id']),
        ),
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['cancelled_by_id']),
        ),
        ops.AddIndex(
            model_name='SessionSeries',
            index=Index(fields=['engagement_id']),
        ),
        ops.AddIndex(
            model_name='SessionSeries',
            index=Index(fields=['created_by_id']),
        ),
        ops.AddIndex(
            model_name='SessionStatusChange',
            index=Index(fields=['changed_by_id']),
        ),
        ops.RunPython(checks("scheduling_session", {
            "session_ends_after_start": _ENDS_AFTER_START,
            "session_length_positive": "length_minutes > 0",
            "session_price_not_negative": "price_amount >= 0",
            "session_vat_rate_in_range": "vat_rate_basis_points BETWEEN 0 AND 10000",
            "session_cancellation_window_not_negative": "cancellation_window_hours >= 0",
            "session_sequence_not_negative": "sequence >= 0",
        })),
        ops.RunPython(checks("session_status_change", {
            "session_status_change_ends_after_start": _ENDS_AFTER_START,
        })),
        ops.RunPython(checks("weekly_hours", {
            "weekly_hours_weekday_in_range": "weekday BETWEEN 0 AND 6",
            "weekly_hours_minutes_in_day_and_ordered":
                "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
        })),
        ops.RunPython(checks("availability_exception", {
            "availability_exception_minutes_in_day_and_ordered":
                "(start_minute IS NULL AND end_minute IS NULL AND kind = 'closed') OR "
                "(start_minute IS NOT NULL AND end_minute IS NOT NULL AND start_minute >= 0 "
                "AND start_minute < end_minute AND end_minute <= 1440)",
        })),
        ops.RunPython(checks("availability_settings", {
            "availability_settings_buffer_not_negative": "buffer_minutes >= 0",
            "availability_settings_slot_step_positive": "slot_step_minutes > 0",
            "availability_settings_horizon_positive": "horizon_days > 0",
        })),
        ops.RunPython(checks("session_series", {
            "session_series_every_weeks_positive": "every_weeks >= 1",
            "session_series_count_positive": "count >= 1",
        })),
        ops.RunPython(session_no_overlap_on_sqlite),
    ]
