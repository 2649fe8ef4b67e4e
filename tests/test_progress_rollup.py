"""Progress totals kept by the database: after any sequence of bookings, moves, cancellations
(in time and late), completions and no-shows through the API, the kept figures equal a full
recomputation from the sessions, and the hub's default page costs the same statements however
long the history."""

from __future__ import annotations

import base64
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from strawberry import relay
from tortoise.connection import get_connection

from models.scheduling import Session, SessionStatus
from resolvers.practice.progress import rebuild_rollups
from settings import Settings
from tests.hub_steps import HUB_SESSION, add_session, add_sessions, client, connect, practice
from tests.scheduling_steps import (
    BOOK,
    CANCEL,
    COMPLETE,
    NO_SHOW,
    RESCHEDULE,
    every_day,
    iso,
    set_availability,
)
from tests.sql_count import counting_statements, sign_ins_seen_now

ROOT = Path(__file__).resolve().parent.parent
ALL_DAY = every_day("00:00", "00:00")
_RECOMPUTED = (
    "SELECT engagement_id, "
    "SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS attended, "
    "SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled, "
    "SUM(CASE WHEN status = 'late_cancelled' THEN 1 ELSE 0 END) AS late_cancelled, "
    "SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) AS no_shows, "
    "SUM(CASE WHEN status = 'scheduled' THEN 1 ELSE 0 END) AS scheduled, "
    "MIN(CASE WHEN status = 'completed' THEN starts_at END) AS first_attended_at, "
    "MAX(CASE WHEN status = 'completed' THEN starts_at END) AS last_attended_at "
    "FROM scheduling_session GROUP BY engagement_id"
)
_KEPT = ("SELECT engagement_id, attended, cancelled, late_cancelled, no_shows, scheduled, "
         "first_attended_at, last_attended_at FROM scheduling_engagement_progress")


async def _months_kept() -> dict[tuple[str, str, str], int]:
    """The month rollup's buckets: engagement, UTC month, and the quarter near its edges."""
    rows = await get_connection("default").execute_query_dict(
        "SELECT engagement_id, month, slot, attended FROM scheduling_engagement_month")
    return {(str(row["engagement_id"]), row["month"].strip(), row["slot"]): row["attended"]
            for row in rows if row["attended"]}


async def _kept_by_month() -> dict[tuple[str, str], int]:
    by_month: dict[tuple[str, str], int] = {}
    for (engagement, month, _), attended in (await _months_kept()).items():
        by_month[engagement, month] = by_month.get((engagement, month), 0) + attended
    return by_month


async def _months_recounted() -> dict[tuple[str, str], int]:
    """Attended sessions by engagement and UTC month, counted from the sessions here."""
    counted: dict[tuple[str, str], int] = {}
    for session in await Session.filter(status=SessionStatus.COMPLETED):
        key = (str(session.engagement_id), session.starts_at.astimezone(UTC).strftime("%Y-%m"))
        counted[key] = counted.get(key, 0) + 1
    return counted


async def _rows(sql: str) -> dict[str, tuple[Any, ...]]:
    """Rows by engagement id; rows with nothing counted are left out (no sessions any more)."""
    rows = await get_connection("default").execute_query_dict(sql)
    found = {}
    for row in rows:
        values = tuple(row.values())[1:]
        if any(values):
            found[str(row["engagement_id"])] = values
    return found


def _hour(base: datetime, hours: int) -> datetime:
    return base + timedelta(hours=hours)


@pytest.mark.parametrize("seed", [1, 2])
async def test_kept_totals_equal_a_full_recount_after_random_changes(api, seed):
    rng = random.Random(seed)
    owner = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling", "Couples"],
                           selfBooking=True, sessionMinutes=60)
    await set_availability(api, owner.token, weeklyHours=ALL_DAY, timeZone="UTC")
    anna = await client(api, "anna@example.com", "Anna")
    engagements = [await connect(api, anna, owner, title) for title in ("Counselling", "Couples")]
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    free_ahead = list(range(3, 48))
    """Hours from now still free: within a day a client's cancellation is late."""
    past_hours = iter(range(24 * 400, 0, -1))
    """Hours before now at which a session is held (each used once, oldest first)."""
    scheduled: dict[str, int] = {}
    done = {"book": 0, "move": 0, "cancel": 0, "late": 0, "complete": 0, "no_show": 0}

    async def mutate(query: str, name: str, variables: dict[str, Any], token: str
                     ) -> dict[str, Any]:
        payload = (await api.data(query, {"input": variables}, token=token))[name]
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload["session"]

    for _ in range(60):
        action = rng.choice(["book", "book", "move", "cancel", "complete", "no_show"])
        if action == "book" or not scheduled:
            hour = free_ahead.pop(rng.randrange(len(free_ahead)))
            engagement = rng.choice(engagements)
            session = await mutate(BOOK, "bookSession", {
                "engagementId": relay.to_base64("Engagement", str(engagement.id)),
                "startsAt": iso(_hour(base, hour))}, rng.choice([anna, owner.token]))
            scheduled[session["id"]] = hour
            done["book"] += 1
            continue
        session_id = rng.choice(sorted(scheduled))
        if action == "move":
            hour = free_ahead.pop(rng.randrange(len(free_ahead)))
            free_ahead.append(scheduled[session_id])
            await mutate(RESCHEDULE, "rescheduleSession", {
                "sessionId": session_id, "startsAt": iso(_hour(base, hour))}, owner.token)
            scheduled[session_id] = hour
            done["move"] += 1
        elif action == "cancel":
            soon = sorted(i for i, hour in scheduled.items() if hour < 24)
            if soon and rng.random() < 0.5:
                session_id = rng.choice(soon)
            by_client = rng.random() < 0.7
            cancelled = await mutate(CANCEL, "cancelSession", {"sessionId": session_id},
                                     anna if by_client else owner.token)
            done["late" if cancelled["status"] == "LATE_CANCELLED" else "cancel"] += 1
            free_ahead.append(scheduled.pop(session_id))
        else:
            # Time passes: the session is moved to a free hour in the past, as if it had begun.
            start = _hour(base, -next(past_hours))
            await Session.filter(id=relay.GlobalID.from_id(session_id).node_id).update(
                starts_at=start, ends_at=start + timedelta(minutes=60))
            free_ahead.append(scheduled.pop(session_id))
            if action == "complete":
                await mutate(COMPLETE, "completeSession", {"sessionId": session_id},
                             owner.token)
            else:
                await mutate(NO_SHOW, "markNoShow", {"sessionId": session_id}, owner.token)
            done[action] += 1

        kept, recounted = await _rows(_KEPT), await _rows(_RECOMPUTED)
        assert kept == recounted
        assert await _kept_by_month() == await _months_recounted()

    assert all(done.values()), done
    kept, kept_months = await _rows(_KEPT), await _months_kept()
    assert await rebuild_rollups() == 2
    assert await _rows(_KEPT) == kept
    assert await _months_kept() == kept_months

    hub = (await api.data("""{ hub { engagements { id progress {
        attended cancelled lateCancelled noShows scheduled } } } }""", token=anna))["hub"]
    sessions = await Session.all()
    for shown in hub["engagements"]:
        mine = [s.status for s in sessions
                if str(s.engagement_id) == relay.GlobalID.from_id(shown["id"]).node_id]
        assert shown["progress"] == {
            "attended": mine.count(SessionStatus.COMPLETED),
            "cancelled": mine.count(SessionStatus.CANCELLED),
            "lateCancelled": mine.count(SessionStatus.LATE_CANCELLED),
            "noShows": mine.count(SessionStatus.NO_SHOW),
            "scheduled": mine.count(SessionStatus.SCHEDULED),
        }


async def test_deleting_sessions_takes_them_out_of_the_totals(api):
    owner = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    anna = await client(api, "anna@example.com", "Anna")
    engagement = await connect(api, anna, owner, "Counselling")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    await add_sessions(engagement, 10, start=now - timedelta(days=100))

    await Session.filter(starts_at__lt=now - timedelta(days=50)).delete()

    assert await _rows(_KEPT) == await _rows(_RECOMPUTED)
    assert await _kept_by_month() == await _months_recounted()
    assert [row[0] for row in (await _rows(_KEPT)).values()] == [2]


async def test_rebuild_progress_restores_totals_changed_by_hand(api, settings):
    owner = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    anna = await client(api, "anna@example.com", "Anna")
    engagement = await connect(api, anna, owner, "Counselling")
    await add_sessions(engagement, 4, start=datetime.now(UTC) - timedelta(days=40))
    right = await _rows(_KEPT)
    right_months = await _months_kept()
    await get_connection("default").execute_query(
        "UPDATE scheduling_engagement_progress SET attended = 99")
    await get_connection("default").execute_query(
        "UPDATE scheduling_engagement_month SET attended = 7")

    done = _rebuild_command(settings)

    assert done.returncode == 0, done.stderr
    assert "Rebuilt the progress of 1 engagements" in done.stdout
    assert await _rows(_KEPT) == right
    assert await _months_kept() == right_months
    assert await _kept_by_month() == await _months_recounted()


def _rebuild_command(settings: Settings) -> subprocess.CompletedProcess[str]:
    """`python app.py rebuild-progress` as an operator runs it, on the test's database."""
    key = base64.urlsafe_b64encode(settings.secret_key).decode().rstrip("=")
    return subprocess.run(
        [sys.executable, "app.py", "rebuild-progress"], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, "ENVIRONMENT": "development",
                        "DATABASE_URL": settings.database_url, "SECRET_KEY": key},
        check=False, timeout=120,
    )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata",
                                  "Pacific/Kiritimati", "UTC"])
async def test_sessions_per_month_count_in_the_viewers_months_at_their_edges(api, zone):
    """The months are kept in UTC; a viewer's month starts hours earlier or later. Sessions
    just before and after both starts of each of the last months count where the viewer
    lived them."""
    owner = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling"])
    anna = await client(api, "anna@example.com", "Anna", time_zone=zone)
    engagement = await connect(api, anna, owner, "Counselling")
    local = ZoneInfo(zone)
    now = datetime.now(UTC)
    starts: set[datetime] = set()
    for back in range(1, 5):
        month = (now.astimezone(local).replace(day=1) - timedelta(days=31 * back - 20))
        local_start = datetime(month.year, month.month, 1, tzinfo=local).astimezone(UTC)
        utc_start = datetime(month.year, month.month, 1, tzinfo=UTC)
        for edge in (local_start, utc_start):
            starts |= {edge - timedelta(minutes=90), edge + timedelta(minutes=30)}
    for starts_at in sorted(starts):
        await add_session(engagement, starts_at)

    progress = (await api.data("{ hub { engagements { progress { perMonth { month attended } "
                               "} } } }", token=anna))["hub"]["engagements"][0]["progress"]

    expected: dict[str, int] = {}
    for starts_at in starts:
        month = starts_at.astimezone(local).date().replace(day=1).isoformat()
        expected[month] = expected.get(month, 0) + 1
    shown = {m["month"]: m["attended"] for m in progress["perMonth"]}
    assert {m: n for m, n in shown.items() if n} == expected
    assert await _kept_by_month() == await _months_recounted()


HUB_PAGE = f"""{{ hub {{
  timeZone
  nextSession {{ {HUB_SESSION} }}
  upcomingSessions {{ {HUB_SESSION} }}
  pastSessions {{ edges {{ cursor node {{ {HUB_SESSION} }} }} pageInfo {{ hasNextPage }} }}
  engagements {{ id status service {{ id title }} professional {{ displayName }}
    progress {{ attended cancelled lateCancelled noShows scheduled firstSessionAt
      lastSessionAt nextSessionAt averageDaysBetween perMonth {{ month attended }} }} }}
  totals {{ sessionsAttended services professionals }}
}} }}"""


async def test_the_default_hub_page_runs_at_most_five_statements_at_any_history_length(api):
    owner = await practice(api, "sigrun@example.com", "Sigrún", ["Counselling", "Couples"])
    anna = await client(api, "anna@example.com", "Anna", time_zone="Europe/Berlin")
    engagements = [await connect(api, anna, owner, title) for title in ("Counselling", "Couples")]
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for hour, engagement in enumerate(engagements):
        await add_sessions(engagement, 5, start=now - timedelta(days=30, hours=hour))
    await sign_ins_seen_now()
    with counting_statements() as short:
        small = (await api.data(HUB_PAGE, token=anna))["hub"]

    for hour, engagement in enumerate(engagements):
        await add_sessions(engagement, 1_000, start=now - timedelta(days=2_100, hours=hour),
                           every=timedelta(days=2))
    await sign_ins_seen_now()
    with counting_statements() as long:
        large = (await api.data(HUB_PAGE, token=anna))["hub"]

    assert [e["progress"]["attended"] for e in small["engagements"]] == [5, 5]
    assert [e["progress"]["attended"] for e in large["engagements"]] == [1_005, 1_005]
    assert len(short) == len(long) <= 5, long
