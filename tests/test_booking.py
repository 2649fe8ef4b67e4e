"""Booking sessions through the API: who may book, which times, and no double booking."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from icalendar import Calendar
from strawberry import relay

from models.accounts import Account
from models.outbox import OutboxMessage
from models.practice import Engagement, EngagementSource, EngagementStatus, Service
from models.scheduling import Session, SessionStatusChange
from tests.mailbox import text_of
from tests.practice_steps import END, client, codes, create_service
from tests.scheduling_steps import (
    SLOTS,
    Practice,
    book,
    iso,
    local,
    next_clock_change,
    parse,
    practice,
    with_client,
)

LONDON = "Europe/London"


def _next_monday_at(hour: str, zone: str = LONDON, weeks: int = 2) -> datetime:
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 * weeks - today.weekday())
    return local(monday, hour, zone)


async def test_the_professional_books_a_session_with_a_snapshot_of_the_service(api, mailbox):
    setup = await practice(api)
    start = _next_monday_at("10:00")
    payload = await book(api, setup.professional, setup.engagement_id, start)
    assert payload["userErrors"] == []
    session = payload["session"]
    assert parse(session["startsAt"]) == start
    assert parse(session["endsAt"]) == start + timedelta(minutes=60)
    assert session["status"] == "SCHEDULED"
    assert session["price"] == {"amount": 18000, "currency": "ISK"}
    assert session["lengthMinutes"] == 60
    assert session["history"] == [{"fromStatus": None, "toStatus": "SCHEDULED",
                                   "startsAt": session["startsAt"],
                                   "changedBy": "PROFESSIONAL", "reasonCode": None}]
    await Service.all().update(price_amount=25000, session_minutes=90)
    stored = await Session.get()
    assert (stored.price_amount, stored.length_minutes) == (18000, 60)

    await mailbox.deliver()
    confirmation = mailbox.last("anna@example.com")
    assert confirmation["Subject"].startswith("Session booked")
    assert "Psychological counselling" in text_of(confirmation)
    # The link names the session by the id the API uses, not the database's.
    assert f"/sessions/{quote(session['id'], safe='')}" in text_of(confirmation)
    assert str(stored.id) not in text_of(confirmation)
    calendar_file = next(part for part in confirmation.iter_attachments()
                         if part.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(calendar_file.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == start
    assert event["SEQUENCE"] == 0
    assert mailbox.last("sigrun@example.com")["Subject"].startswith("Session booked")


async def test_a_client_books_when_the_service_allows_self_booking(api):
    setup = await practice(api, self_booking=True)
    payload = await book(api, setup.client, setup.engagement_id, _next_monday_at("09:00"))
    assert payload["userErrors"] == []
    assert payload["session"]["history"][0]["changedBy"] == "CLIENT"


async def _nothing_written() -> None:
    assert await Session.all().count() == 0
    assert await SessionStatusChange.all().count() == 0
    assert await OutboxMessage.filter(template__startswith="session").count() == 0


async def test_booking_in_the_past_is_refused_and_nothing_is_written(api):
    setup = await practice(api, weeklyHours=[
        {"weekday": day, "start": "00:00", "end": "00:00"}
        for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY",
                    "SUNDAY")])
    yesterday = _next_monday_at("10:00", weeks=0) - timedelta(days=7)
    payload = await book(api, setup.professional, setup.engagement_id, yesterday)
    assert payload["userErrors"] == [{
        "field": "startsAt", "code": "IN_THE_PAST",
        "message": "That time has already passed; choose a later one."}]
    assert payload["session"] is None
    await _nothing_written()


async def test_booking_outside_availability_is_refused_and_nothing_is_written(api):
    setup = await practice(api)
    payload = await book(api, setup.professional, setup.engagement_id,
                         _next_monday_at("13:00"))
    assert codes(payload) == ["OUTSIDE_AVAILABILITY"]
    assert "outside the opening hours" in payload["userErrors"][0]["message"]
    off_grid = await book(api, setup.professional, setup.engagement_id,
                          _next_monday_at("09:30"))
    assert codes(off_grid) == ["NOT_ON_SLOT_GRID"]
    too_far = await book(api, setup.professional, setup.engagement_id,
                         _next_monday_at("09:00", weeks=60))
    assert codes(too_far) == ["BEYOND_HORIZON"]
    await _nothing_written()


async def test_booking_for_an_engagement_that_is_not_active_is_refused(api):
    setup = await practice(api)
    ended = (await api.data(END, {"input": {"engagementId": setup.engagement_id}},
                            token=setup.client))["endEngagement"]
    assert ended["userErrors"] == []
    payload = await book(api, setup.professional, setup.engagement_id,
                         _next_monday_at("10:00"))
    assert codes(payload) == ["ENGAGEMENT_NOT_ACTIVE"]
    assert "only be booked while the engagement is active" in payload["userErrors"][0]["message"]
    await _nothing_written()


async def test_a_client_cannot_book_when_self_booking_is_off(api):
    setup = await practice(api, self_booking=False)
    payload = await book(api, setup.client, setup.engagement_id, _next_monday_at("10:00"))
    assert payload["userErrors"] == [{
        "field": "engagementId", "code": "SELF_BOOKING_OFF",
        "message": "Sigrún Jónsdóttir books the sessions of this service; ask them for a time."}]
    slots = await api.data(SLOTS, {"serviceId": setup.service["id"],
                                   "from": iso(_next_monday_at("00:00")),
                                   "to": iso(_next_monday_at("23:00"))}, token=setup.client)
    assert slots["availableSlots"] == []
    await _nothing_written()


async def test_a_stranger_cannot_book_or_see_slots(api):
    setup = await practice(api, self_booking=True)
    stranger = await client(api, "stranger@example.com", "Stranger")
    payload = await book(api, stranger, setup.engagement_id, _next_monday_at("10:00"))
    assert codes(payload) == ["NOT_FOUND"]
    slots = await api.data(SLOTS, {"serviceId": setup.service["id"],
                                   "from": iso(_next_monday_at("00:00")),
                                   "to": iso(_next_monday_at("23:00"))}, token=stranger)
    assert slots["availableSlots"] == []
    await _nothing_written()


async def test_a_taken_time_is_refused_and_no_longer_offered(api):
    setup = await practice(api, self_booking=True, bufferMinutes=15, slotStepMinutes=30,
                           weeklyHours=[{"weekday": "MONDAY", "start": "09:00", "end": "13:00"}])
    start = _next_monday_at("10:00")
    assert (await book(api, setup.professional, setup.engagement_id, start))["userErrors"] == []
    taken = await book(api, setup.client, setup.engagement_id, start + timedelta(minutes=30))
    assert codes(taken) == ["SLOT_TAKEN"]
    close = await book(api, setup.client, setup.engagement_id, start + timedelta(minutes=60))
    assert codes(close) == ["TOO_CLOSE"]
    slots = await api.data(SLOTS, {"serviceId": setup.service["id"],
                                   "from": iso(_next_monday_at("00:00")),
                                   "to": iso(_next_monday_at("23:00"))}, token=setup.client)
    starts = [parse(s["startsAt"]) for s in slots["availableSlots"]]
    assert starts == [_next_monday_at("11:30"), _next_monday_at("12:00")]


async def test_a_client_cannot_be_in_two_sessions_at_once(api):
    first = await practice(api, self_booking=True)
    other = await client(api, "helga@example.com", "Helga")
    await Account.filter(email="helga@example.com").update(is_professional=True)
    service = await create_service(api, other, title="Physio", selfBooking=True,
                                   sessionMinutes=60, requiredDetails=[], customQuestions=[])
    second = await with_client(api, other, service, first.client,
                               availability={"timeZone": LONDON})
    start = _next_monday_at("10:00")
    assert (await book(api, first.client, first.engagement_id, start))["userErrors"] == []
    clash = await book(api, second.client, second.engagement_id, start)
    assert codes(clash) == ["SLOT_TAKEN"]


async def _in_both_roles(api) -> tuple[Practice, Practice]:
    """Sigrún's practice with Anna as client (`giving`), and Sigrún as Helga's client in
    Helga's self-booked supervision (`taking`)."""
    giving = await practice(api, self_booking=True)
    helga = await client(api, "helga@example.com", "Helga")
    await Account.filter(email="helga@example.com").update(is_professional=True)
    service = await create_service(api, helga, title="Supervision", selfBooking=True,
                                   sessionMinutes=60, requiredDetails=[], customQuestions=[])
    taking = await with_client(api, helga, service, giving.professional,
                               availability={"timeZone": LONDON})
    return giving, taking


async def test_a_professional_who_is_also_a_client_is_never_in_two_sessions_at_once(api):
    """Sigrún gives sessions to Anna and takes sessions from Helga: one person, two roles."""
    giving, taking = await _in_both_roles(api)
    ten, eleven = _next_monday_at("10:00"), _next_monday_at("11:00")

    assert (await book(api, giving.professional, giving.engagement_id, ten))["userErrors"] == []
    clash = await book(api, taking.professional, taking.engagement_id, ten)
    assert codes(clash) == ["SLOT_TAKEN"]
    assert (await book(api, taking.client, taking.engagement_id, eleven))["userErrors"] == []
    clash = await book(api, giving.client, giving.engagement_id, eleven)
    assert codes(clash) == ["SLOT_TAKEN"]
    slots = (await api.data(SLOTS, {"serviceId": taking.service["id"], "from": iso(ten),
                                    "to": iso(eleven + timedelta(hours=1))},
                            token=taking.client))["availableSlots"]
    assert slots == []
    assert await Session.all().count() == 2


async def test_bookings_of_one_person_in_both_roles_at_once_make_exactly_one_session(api):
    """Sigrún's clients book her while she books herself with Helga, all at the same moment
    (separate connections on PostgreSQL): her two roles never overlap."""
    giving, taking = await _in_both_roles(api)
    start = _next_monday_at("10:00")
    answers = await asyncio.gather(*(
        book(api, giving.professional, giving.engagement_id, start) if n % 2
        else book(api, taking.client, taking.engagement_id, start) for n in range(10)
    ))
    assert sum(1 for a in answers if a["userErrors"] == []) == 1
    assert {tuple(codes(a)) for a in answers if a["userErrors"]} == {("SLOT_TAKEN",)}
    assert await Session.all().count() == 1


async def test_twenty_simultaneous_bookings_of_one_time_make_exactly_one_session(api):
    """Twenty clients press "book" for the same hour at once (separate connections on
    PostgreSQL): one wins, the other nineteen are told the slot is taken; no 500s."""
    setup = await practice(api)
    service = await Service.get(id=(await Engagement.get()).service_id)
    engagement_ids = [setup.engagement_id]
    for n in range(19):
        person = await Account.create(email=f"client{n}@example.com", password_hash="x",
                                      name=f"Client {n}", time_zone="UTC", is_client=True)
        engagement = await Engagement.create(client=person, service=service,
                                             status=EngagementStatus.ACTIVE,
                                             source=EngagementSource.INVITATION)
        engagement_ids.append(str(relay.GlobalID("Engagement", str(engagement.id))))
    start = _next_monday_at("10:00")
    answers = await asyncio.gather(*(
        book(api, setup.professional, engagement_id, start) for engagement_id in engagement_ids
    ))
    booked = [a for a in answers if a["userErrors"] == []]
    refused = [a for a in answers if a["userErrors"]]
    assert len(booked) == 1
    assert len(refused) == 19
    assert {tuple(codes(a)) for a in refused} == {("SLOT_TAKEN",)}
    assert await Session.all().count() == 1


async def test_two_bookings_at_once_closer_than_the_buffer_make_one_session(api):
    """10:00 and 11:00 are each free, but a 15-minute buffer keeps 60-minute sessions from
    running back to back: booked at the same moment, one wins (on PostgreSQL under the
    booking locks, on SQLite by the conditional insert)."""
    setup = await practice(api, bufferMinutes=15, slotStepMinutes=60)
    service = await Service.get(id=(await Engagement.get()).service_id)
    other = await Account.create(email="bjarni@example.com", password_hash="x", name="Bjarni",
                                 time_zone="UTC", is_client=True)
    engagement = await Engagement.create(client=other, service=service,
                                         status=EngagementStatus.ACTIVE,
                                         source=EngagementSource.INVITATION)
    answers = await asyncio.gather(
        book(api, setup.professional, setup.engagement_id, _next_monday_at("10:00")),
        book(api, setup.professional, str(relay.GlobalID("Engagement", str(engagement.id))),
             _next_monday_at("11:00")),
    )
    assert sorted(tuple(codes(a)) for a in answers) == [(), ("SLOT_TAKEN",)]
    assert await Session.all().count() == 1


async def test_twenty_simultaneous_overlapping_times_make_exactly_one_session(api):
    """Overlapping but different starts (every 10 minutes inside one hour), all at once."""
    setup = await practice(api, slotStepMinutes=5, weeklyHours=[
        {"weekday": "MONDAY", "start": "08:00", "end": "12:00"}])
    service = await Service.get(id=(await Engagement.get()).service_id)
    start = _next_monday_at("09:00")
    tasks = []
    for n in range(20):
        person = await Account.create(email=f"c{n}@example.com", password_hash="x",
                                      name=f"C {n}", time_zone="UTC", is_client=True)
        engagement = await Engagement.create(client=person, service=service,
                                             status=EngagementStatus.ACTIVE,
                                             source=EngagementSource.INVITATION)
        tasks.append(book(api, setup.professional,
                          str(relay.GlobalID("Engagement", str(engagement.id))),
                          start + timedelta(minutes=5 * (n % 10))))
    answers = await asyncio.gather(*tasks)
    assert sum(1 for a in answers if a["userErrors"] == []) == 1
    assert all(codes(a) in ([], ["SLOT_TAKEN"]) for a in answers)
    assert await Session.all().count() == 1


async def test_slots_keep_london_opening_hours_across_the_spring_clock_change(api):
    setup = await practice(api, weeklyHours=[
        {"weekday": d, "start": "09:00", "end": "12:00"}
        for d in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY",
                  "SUNDAY")])
    change = next_clock_change(LONDON)
    await _assert_same_local_hours(api, setup, change, LONDON)


async def test_slots_keep_new_york_opening_hours_across_the_autumn_clock_change(api):
    setup = await practice(api, timeZone="America/New_York")
    change = next_clock_change("America/New_York", forward=False)
    await _assert_same_local_hours(api, setup, change, "America/New_York")


async def _assert_same_local_hours(api, setup, change, zone) -> None:
    days = [change - timedelta(days=1), change, change + timedelta(days=1)]
    slots = (await api.data(SLOTS, {
        "serviceId": setup.service["id"], "from": iso(local(days[0], "00:00", zone)),
        "to": iso(local(days[-1], "23:00", zone)),
    }, token=setup.professional))["availableSlots"]
    expected = [local(day, hour, zone) for day in days for hour in ("09:00", "10:00", "11:00")]
    assert [parse(s["startsAt"]) for s in slots] == expected
    before = [parse(s["startsAt"]).hour for s in slots[:3]]
    after = [parse(s["startsAt"]).hour for s in slots[-3:]]
    assert abs(before[0] - after[0]) == 1, "the UTC hours move by one at the change"
    assert [h - after[0] for h in after] == [h - before[0] for h in before] == [0, 1, 2]


async def test_reykjavik_has_no_clock_change_so_slots_stay_at_the_same_utc_time(api):
    setup = await practice(api, timeZone="Atlantic/Reykjavik")
    change = next_clock_change(LONDON)
    slots = (await api.data(SLOTS, {
        "serviceId": setup.service["id"], "from": iso(local(change, "00:00", "UTC") -
                                                      timedelta(days=2)),
        "to": iso(local(change, "23:00", "UTC") + timedelta(days=2)),
    }, token=setup.professional))["availableSlots"]
    assert len(slots) == 15
    assert {parse(s["startsAt"]).strftime("%H:%M") for s in slots} == {"09:00", "10:00",
                                                                       "11:00"}


async def test_slot_queries_are_limited_to_62_days(api):
    setup = await practice(api)
    body = await api(SLOTS, {"serviceId": setup.service["id"],
                             "from": iso(_next_monday_at("00:00")),
                             "to": iso(_next_monday_at("00:00", weeks=12))},
                     token=setup.professional)
    assert body["errors"][0]["message"] == "Ask for at most 62 days at a time."
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


SLOTS_FOR = """query($serviceId: ID!, $from: DateTime!, $to: DateTime!, $engagementId: ID) {
  availableSlots(serviceId: $serviceId, from: $from, to: $to, engagementId: $engagementId) {
    startsAt } }"""


async def test_a_clients_slots_leave_out_their_sessions_with_other_professionals(api):
    first = await practice(api, self_booking=True)
    other = await client(api, "helga@example.com", "Helga")
    await Account.filter(email="helga@example.com").update(is_professional=True)
    service = await create_service(api, other, title="Physio", selfBooking=True,
                                   sessionMinutes=60, requiredDetails=[], customQuestions=[])
    second = await with_client(api, other, service, first.client,
                               availability={"timeZone": LONDON})
    assert (await book(api, first.client, first.engagement_id,
                       _next_monday_at("10:00")))["userErrors"] == []
    window = {"serviceId": service["id"], "from": iso(_next_monday_at("00:00")),
              "to": iso(_next_monday_at("23:00"))}
    for_client = (await api.data(SLOTS, window, token=second.client))["availableSlots"]
    for_helga = (await api.data(SLOTS, window, token=other))["availableSlots"]
    assert [parse(s["startsAt"]) for s in for_client] == [_next_monday_at("09:00"),
                                                          _next_monday_at("11:00")]
    assert len(for_helga) == 3, "the professional sees her own free time"
    booking_for_her = (await api.data(SLOTS_FOR, {**window, "engagementId": second.engagement_id},
                                      token=other))["availableSlots"]
    assert [parse(s["startsAt"]) for s in booking_for_her] == [_next_monday_at("09:00"),
                                                               _next_monday_at("11:00")]
    foreign = await api(SLOTS_FOR, {**window, "engagementId": first.engagement_id}, token=other)
    assert foreign["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_time_without_offset_or_in_seconds_is_refused(api):
    setup = await practice(api)
    naive = (await api.data(
        "mutation($input: BookSessionInput!) { bookSession(input: $input) "
        "{ userErrors { field message code } } }",
        {"input": {"engagementId": setup.engagement_id, "startsAt": "2030-01-07T10:00:00"}},
        token=setup.professional))["bookSession"]
    assert naive["userErrors"] == [{
        "field": "startsAt", "code": "INVALID_INPUT",
        "message": "Give the time with its offset, like 2026-03-30T09:00:00Z."}]
    seconds = await book(api, setup.professional, setup.engagement_id,
                         _next_monday_at("10:00") + timedelta(seconds=30))
    assert codes(seconds) == ["INVALID_INPUT"]
    await _nothing_written()
