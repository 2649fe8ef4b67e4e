"""Setting availability through the API: weekly hours, exceptions, and what slots they open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.scheduling import WeeklyHours
from tests.practice_steps import codes, professional
from tests.scheduling_steps import SET_AVAILABILITY, SLOTS, iso, local, parse, practice

ADD_EXCEPTION = """
mutation($input: AddAvailabilityExceptionInput!) {
  addAvailabilityException(input: $input) {
    exception { id date kind start end } userErrors { field message code }
  }
}"""
REMOVE_EXCEPTION = """
mutation($input: RemoveAvailabilityExceptionInput!) {
  removeAvailabilityException(input: $input) {
    availability { exceptions { id } } userErrors { field message code }
  }
}"""
AVAILABILITY = "{ availability { timeZone bufferMinutes weeklyHours { weekday start end } } }"
ZONE = "Europe/London"


def _monday(weeks: int = 2):
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 * weeks - today.weekday())


async def _slots(api, setup, day) -> list[str]:
    found = (await api.data(SLOTS, {"serviceId": setup.service["id"],
                                    "from": iso(local(day, "00:00", ZONE)),
                                    "to": iso(local(day, "23:59", ZONE))},
                            token=setup.professional))["availableSlots"]
    return [parse(s["startsAt"]).astimezone(local(day, "00:00", ZONE).tzinfo).isoformat()
            for s in found]


async def test_several_intervals_a_day_and_a_buffer_are_saved_and_replaced(api):
    setup = await practice(api, weeklyHours=[
        {"weekday": "MONDAY", "start": "09:00", "end": "12:00"},
        {"weekday": "MONDAY", "start": "13:00", "end": "17:00"},
    ], bufferMinutes=10)
    saved = (await api.data(AVAILABILITY, token=setup.professional))["availability"]
    assert saved == {"timeZone": ZONE, "bufferMinutes": 10, "weeklyHours": [
        {"weekday": "MONDAY", "start": "09:00:00", "end": "12:00:00"},
        {"weekday": "MONDAY", "start": "13:00:00", "end": "17:00:00"}]}
    slots = await _slots(api, setup, _monday())
    assert len(slots) == 3 + 4
    payload = (await api.data(SET_AVAILABILITY, {"input": {
        "weeklyHours": [{"weekday": "TUESDAY", "start": "09:00", "end": "00:00"}]}},
        token=setup.professional))["setAvailability"]
    assert payload["availability"]["weeklyHours"] == [
        {"weekday": "TUESDAY", "start": "09:00:00", "end": "00:00:00"}]
    assert payload["availability"]["timeZone"] == ZONE, "the zone stays the practice's"
    assert await WeeklyHours.all().count() == 1
    assert await _slots(api, setup, _monday()) == []


async def test_invalid_hours_come_back_all_at_once_and_nothing_changes(api):
    setup = await practice(api)
    payload = (await api.data(SET_AVAILABILITY, {"input": {
        "timeZone": "Mars/Olympus",
        "weeklyHours": [{"weekday": "MONDAY", "start": "09:00", "end": "12:00"},
                        {"weekday": "MONDAY", "start": "11:00", "end": "13:00"}],
        "bufferMinutes": 500, "horizonDays": 0}}, token=setup.professional))["setAvailability"]
    fields = {e["field"] for e in payload["userErrors"]}
    assert fields == {"timeZone", "weeklyHours", "bufferMinutes", "horizonDays"}
    assert {"field": "weeklyHours", "code": "INVALID_INPUT",
            "message": "Monday 09:00-12:00 overlaps 11:00-13:00; join them into one "
                       "interval."} in payload["userErrors"]
    assert await WeeklyHours.all().count() == 7


async def test_a_closure_takes_hours_away_and_extra_hours_add_them(api):
    setup = await practice(api)
    monday = _monday()
    closed = (await api.data(ADD_EXCEPTION, {"input": {
        "date": monday.isoformat(), "kind": "CLOSED", "start": "09:00", "end": "10:30"}},
        token=setup.professional))["addAvailabilityException"]
    assert closed["userErrors"] == []
    assert [s[11:16] for s in await _slots(api, setup, monday)] == ["10:30"], "a fresh grid"
    tuesday = monday + timedelta(days=1)
    day_off = (await api.data(ADD_EXCEPTION, {"input": {
        "date": tuesday.isoformat(), "kind": "CLOSED"}},
        token=setup.professional))["addAvailabilityException"]
    assert await _slots(api, setup, tuesday) == []
    extra = (await api.data(ADD_EXCEPTION, {"input": {
        "date": tuesday.isoformat(), "kind": "OPEN", "start": "18:00", "end": "20:00"}},
        token=setup.professional))["addAvailabilityException"]
    assert extra["userErrors"] == []
    assert await _slots(api, setup, tuesday) == [], "a closure always wins"
    removed = (await api.data(REMOVE_EXCEPTION, {"input": {"id": day_off["exception"]["id"]}},
                              token=setup.professional))["removeAvailabilityException"]
    assert removed["userErrors"] == []
    assert [s[11:16] for s in await _slots(api, setup, tuesday)] == [
        "09:00", "10:00", "11:00", "18:00", "19:00"]


async def test_only_professionals_set_availability_and_strangers_cannot_remove_exceptions(api):
    setup = await practice(api)
    body = await api(SET_AVAILABILITY, {"input": {"weeklyHours": []}}, token=setup.client)
    assert body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    exception = (await api.data(ADD_EXCEPTION, {"input": {
        "date": _monday().isoformat(), "kind": "CLOSED"}},
        token=setup.professional))["addAvailabilityException"]["exception"]
    other_pro = await professional(api, "olafur@example.com", "Ólafur")
    payload = (await api.data(REMOVE_EXCEPTION, {"input": {"id": exception["id"]}},
                              token=other_pro))["removeAvailabilityException"]
    assert codes(payload) == ["NOT_FOUND"]


PRACTICE_ZONE = "{ practice { profile { timeZone } } availability { timeZone } }"
UPDATE_ZONE = """mutation($input: UpdateProfessionalProfileInput!) {
  updateProfessionalProfile(input: $input) { profile { timeZone } userErrors { field } } }"""


async def test_the_practice_has_one_zone_whether_set_with_the_hours_or_the_profile(api):
    setup = await practice(api, weeklyHours=[
        {"weekday": "MONDAY", "start": "09:00", "end": "12:00"}])
    zones = await api.data(PRACTICE_ZONE, token=setup.professional)
    assert zones == {"practice": {"profile": {"timeZone": ZONE}},
                     "availability": {"timeZone": ZONE}}

    await api.data(UPDATE_ZONE, {"input": {"timeZone": "America/New_York"}},
                   token=setup.professional)
    zones = await api.data(PRACTICE_ZONE, token=setup.professional)
    assert zones["availability"]["timeZone"] == "America/New_York"
    monday = _monday()
    slots = (await api.data(SLOTS, {"serviceId": setup.service["id"],
                                    "from": iso(local(monday, "00:00", "America/New_York")),
                                    "to": iso(local(monday, "23:59", "America/New_York"))},
                            token=setup.professional))["availableSlots"]
    assert parse(slots[0]["startsAt"]) == local(monday, "09:00", "America/New_York")

    await api.data(SET_AVAILABILITY, {"input": {"timeZone": "Asia/Tokyo", "weeklyHours": [
        {"weekday": "MONDAY", "start": "09:00", "end": "12:00"}]}}, token=setup.professional)
    zones = await api.data(PRACTICE_ZONE, token=setup.professional)
    assert zones["practice"]["profile"]["timeZone"] == "Asia/Tokyo"
