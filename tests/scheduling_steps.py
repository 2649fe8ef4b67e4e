"""Steps the scheduling tests take, written as the SPA would take them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.practice_steps import APPROVE, USER_ERRORS, client, create_service, professional, request

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]

SET_AVAILABILITY = f"""
mutation($input: SetAvailabilityInput!) {{
  setAvailability(input: $input) {{
    availability {{ timeZone bufferMinutes slotStepMinutes horizonDays
                    weeklyHours {{ weekday start end }}
                    exceptions {{ id date kind start end }} }}
    {USER_ERRORS}
  }}
}}"""

SLOTS = """
query($serviceId: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(serviceId: $serviceId, from: $from, to: $to) { startsAt endsAt }
}"""

SESSION_FIELDS = """
  id status startsAt endsAt lengthMinutes price { amount currency } vatRateBasisPoints
  cancelledAt cancelledBy cancellationReason canCancel
  history { fromStatus toStatus startsAt changedBy reasonCode }
  series { id everyWeeks count }
"""

BOOK = f"""
mutation($input: BookSessionInput!) {{
  bookSession(input: $input) {{ session {{ {SESSION_FIELDS} }} {USER_ERRORS} }}
}}"""

BOOK_SERIES = f"""
mutation($input: BookSeriesInput!) {{
  bookSeries(input: $input) {{
    series {{ id everyWeeks count until }}
    sessions {{ {SESSION_FIELDS} }}
    skipped {{ startsAt code message }}
    {USER_ERRORS}
  }}
}}"""

RESCHEDULE = f"""
mutation($input: RescheduleSessionInput!) {{
  rescheduleSession(input: $input) {{ session {{ {SESSION_FIELDS} }} {USER_ERRORS} }}
}}"""

CANCEL = f"""
mutation($input: CancelSessionInput!) {{
  cancelSession(input: $input) {{ session {{ {SESSION_FIELDS} }} {USER_ERRORS} }}
}}"""

CANCEL_SERIES = f"""
mutation($input: CancelSeriesInput!) {{
  cancelSeries(input: $input) {{ sessions {{ id status startsAt }} {USER_ERRORS} }}
}}"""

COMPLETE = f"""
mutation($input: SessionIdInput!) {{
  completeSession(input: $input) {{ session {{ {SESSION_FIELDS} }} {USER_ERRORS} }}
}}"""

NO_SHOW = f"""
mutation($input: SessionIdInput!) {{
  markNoShow(input: $input) {{ session {{ {SESSION_FIELDS} }} {USER_ERRORS} }}
}}"""

SESSION = f"""
query($id: ID!) {{ node(id: $id) {{ ... on Session {{ {SESSION_FIELDS} }} }} }}"""


@dataclass
class Practice:
    professional: str
    client: str
    service: dict[str, Any]
    engagement_id: str


def every_day(start: str = "09:00", end: str = "12:00") -> list[dict[str, str]]:
    return [{"weekday": day, "start": start, "end": end} for day in WEEKDAYS]


async def set_availability(api: Any, token: str, **changes: Any) -> dict[str, Any]:
    payload = (await api.data(SET_AVAILABILITY, {"input": {
        "timeZone": "Europe/London", "weeklyHours": every_day(), "horizonDays": 365,
        **changes,
    }}, token=token))["setAvailability"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["availability"]


async def practice(api: Any, *, self_booking: bool = False, minutes: int = 60,
                   client_email: str = "anna@example.com", **availability: Any) -> Practice:
    """A professional with availability, a service and one active client."""
    pro = await professional(api)
    service = await create_service(api, pro, selfBooking=self_booking, sessionMinutes=minutes,
                                   requiredDetails=[], customQuestions=[])
    anna = await client(api, client_email)
    return await with_client(api, pro, service, anna, availability=availability)


async def with_client(api: Any, pro: str, service: dict[str, Any], client_token: str, *,
                      availability: dict[str, Any] | None = None) -> Practice:
    requested = await request(api, client_token, service)
    assert requested["userErrors"] == [], requested["userErrors"]
    engagement_id = requested["engagement"]["id"]
    approved = (await api.data(APPROVE, {"input": {"engagementId": engagement_id}},
                               token=pro))["approveRequest"]
    assert approved["userErrors"] == []
    if availability is not None:
        await set_availability(api, pro, **availability)
    return Practice(pro, client_token, service, engagement_id)


async def book(api: Any, token: str, engagement_id: str, starts_at: datetime
               ) -> dict[str, Any]:
    return (await api.data(BOOK, {"input": {"engagementId": engagement_id,
                                            "startsAt": iso(starts_at)}},
                           token=token))["bookSession"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def next_clock_change(zone: str, *, after: date | None = None, forward: bool = True) -> date:
    """The next date on which `zone` moves its clocks forward (or back)."""
    tz = ZoneInfo(zone)
    day = after or datetime.now(UTC).date() + timedelta(days=7)
    for _ in range(800):
        before = datetime.combine(day, time(0), tz).utcoffset()
        later = datetime.combine(day + timedelta(days=1), time(0), tz).utcoffset()
        assert before is not None
        assert later is not None
        if later != before and (later > before) == forward:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} does not change its clocks")


def local(day: date, wall: str, zone: str) -> datetime:
    """A wall-clock time on a date in a zone, as a UTC instant."""
    return datetime.combine(day, time.fromisoformat(wall), ZoneInfo(zone)).astimezone(UTC)


def soon(hours: int = 3) -> datetime:
    """A whole hour at least `hours` from now, in UTC."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=hours + 1)
