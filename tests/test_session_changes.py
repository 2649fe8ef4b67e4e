"""After booking: moving, cancelling (on time and late), completing and no-shows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from icalendar import Calendar
from strawberry import relay
from tortoise.transactions import in_transaction

from app import create_app
from gateways.events import events_for
from models.scheduling import Session
from resolvers.scheduling.session_store import SlotTaken, move_session
from tests.conftest import Api
from tests.mailbox import text_of
from tests.practice_steps import END, UPDATE_SERVICE, client, codes
from tests.scheduling_steps import (
    CANCEL,
    COMPLETE,
    NO_SHOW,
    RESCHEDULE,
    SESSION,
    book,
    every_day,
    iso,
    parse,
    practice,
    soon,
    with_client,
)

ALL_DAY = every_day("00:00", "00:00")
LATE_FROM = "query($id: ID!) { node(id: $id) { ... on Session { lateCancellationFrom } } }"


def _calendar_of(message) -> Calendar:
    part = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_payload(decode=True))


async def _booked(api, *, hours_ahead: int = 72, **options):
    setup = await practice(api, self_booking=True, weeklyHours=ALL_DAY, timeZone="UTC",
                           **options)
    payload = await book(api, setup.professional, setup.engagement_id, soon(hours_ahead))
    assert payload["userErrors"] == []
    return setup, payload["session"]


async def test_a_moved_session_gets_a_new_time_a_higher_sequence_and_an_email(api, mailbox):
    setup, session = await _booked(api)
    new_start = parse(session["startsAt"]) + timedelta(hours=2)
    payload = (await api.data(RESCHEDULE, {"input": {"sessionId": session["id"],
                                                     "startsAt": iso(new_start)}},
                              token=setup.professional))["rescheduleSession"]
    assert payload["userErrors"] == []
    moved = payload["session"]
    assert parse(moved["startsAt"]) == new_start
    assert [(h["fromStatus"], h["toStatus"], h["reasonCode"]) for h in moved["history"]] == [
        (None, "SCHEDULED", None), ("SCHEDULED", "SCHEDULED", "RESCHEDULED")]
    assert (await Session.get()).sequence == 1
    await mailbox.deliver()
    mail = mailbox.last("anna@example.com")
    assert mail["Subject"].startswith("Session moved to")
    event = _calendar_of(mail).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == new_start


async def test_a_session_cannot_be_moved_onto_another(api):
    setup, session = await _booked(api)
    other = await client(api, "bjorn@example.com", "Björn")
    second = await with_client(api, setup.professional, setup.service, other)
    later = parse(session["startsAt"]) + timedelta(hours=3)
    assert (await book(api, setup.professional, second.engagement_id, later))["userErrors"] == []
    payload = (await api.data(RESCHEDULE, {"input": {
        "sessionId": session["id"], "startsAt": iso(later)}},
        token=setup.professional))["rescheduleSession"]
    assert codes(payload) == ["SLOT_TAKEN"]
    assert parse((await api.data(SESSION, {"id": session["id"]}, token=setup.client))[
        "node"]["startsAt"]) == parse(session["startsAt"])


async def test_the_database_write_itself_refuses_a_move_onto_another_session(api):
    """The guard behind the check: even when the check was passed (a race), the conditional
    UPDATE (SQLite) or the exclusion constraint (PostgreSQL) refuses the overlap."""
    setup, session = await _booked(api)
    other = await client(api, "bjorn@example.com", "Björn")
    second = await with_client(api, setup.professional, setup.service, other)
    later = parse(session["startsAt"]) + timedelta(hours=3)
    assert (await book(api, setup.professional, second.engagement_id, later))["userErrors"] == []
    first = await Session.get(starts_at=parse(session["startsAt"]))
    with pytest.raises(SlotTaken):
        async with in_transaction():
            await move_session(first, later, later + timedelta(hours=1), None)
    assert (await Session.get(id=first.id)).starts_at == parse(session["startsAt"])


async def test_a_client_cancelling_in_good_time_frees_the_slot(api, mailbox):
    setup, session = await _booked(api, hours_ahead=72)
    payload = (await api.data(CANCEL, {"input": {"sessionId": session["id"],
                                                 "reason": "I have the flu"}},
                              token=setup.client))["cancelSession"]
    assert payload["userErrors"] == []
    cancelled = payload["session"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancelledBy"] == "CLIENT"
    assert cancelled["cancellationReason"] == "I have the flu"
    assert cancelled["canCancel"] is False
    stored = await Session.get()
    assert stored.sequence == 1
    assert b"flu" not in stored.cancellation_reason_sealed
    seen_by_professional = (await api.data(SESSION, {"id": session["id"]},
                                           token=setup.professional))["node"]
    assert seen_by_professional["cancellationReason"] == "I have the flu"
    again = await book(api, setup.professional, setup.engagement_id,
                       parse(session["startsAt"]))
    assert again["userErrors"] == []

    await mailbox.deliver()
    mail = next(m for m in mailbox.to("sigrun@example.com")
                if m["Subject"].startswith("Session cancelled"))
    assert "flu" not in text_of(mail)
    calendar = _calendar_of(mail)
    assert calendar["METHOD"] == "CANCEL"
    assert b"flu" not in calendar.to_ical()


async def test_a_client_cancelling_inside_the_window_is_a_late_cancellation(api):
    setup, session = await _booked(api, hours_ahead=5)
    payload = (await api.data(CANCEL, {"input": {"sessionId": session["id"]}},
                              token=setup.client))["cancelSession"]
    assert payload["session"]["status"] == "LATE_CANCELLED"
    assert payload["session"]["history"][-1]["reasonCode"] == "LATE"


async def test_a_later_change_of_the_policy_does_not_make_a_booking_late(api):
    setup, session = await _booked(api, hours_ahead=30)  # the service's window is 24 hours
    widened = (await api.data(UPDATE_SERVICE, {"input": {
        "serviceId": setup.service["id"], "cancellationWindowHours": 72}},
        token=setup.professional))["updateService"]
    assert widened["userErrors"] == []
    later = await book(api, setup.professional, setup.engagement_id, soon(100))
    seen = (await api.data(LATE_FROM, {"id": session["id"]}, token=setup.client))["node"]
    assert parse(seen["lateCancellationFrom"]) == parse(session["startsAt"]) - timedelta(
        hours=24)
    payload = (await api.data(CANCEL, {"input": {"sessionId": session["id"]}},
                              token=setup.client))["cancelSession"]
    assert payload["session"]["status"] == "CANCELLED"
    newer = (await api.data(LATE_FROM, {"id": later["session"]["id"]},
                            token=setup.client))["node"]
    assert parse(newer["lateCancellationFrom"]) == parse(later["session"]["startsAt"]) - \
        timedelta(hours=72)


async def test_the_professional_cancelling_late_is_not_a_late_cancellation(api):
    setup, session = await _booked(api, hours_ahead=5)
    payload = (await api.data(CANCEL, {"input": {"sessionId": session["id"]}},
                              token=setup.professional))["cancelSession"]
    assert payload["session"]["status"] == "CANCELLED"
    assert payload["session"]["cancelledBy"] == "PROFESSIONAL"
    twice = (await api.data(CANCEL, {"input": {"sessionId": session["id"]}},
                            token=setup.client))["cancelSession"]
    assert twice["userErrors"] == [{"field": "sessionId", "code": "WRONG_STATUS",
                                    "message": "This session has already been cancelled."}]


async def test_a_stranger_sees_nothing_and_cannot_cancel(api):
    _, session = await _booked(api)
    stranger = await client(api, "eve@example.com", "Eve")
    assert (await api.data(SESSION, {"id": session["id"]}, token=stranger))["node"] is None
    payload = (await api.data(CANCEL, {"input": {"sessionId": session["id"]}},
                              token=stranger))["cancelSession"]
    assert codes(payload) == ["NOT_FOUND"]
    assert (await Session.get()).status.value == "scheduled"


async def _started(session_id: str) -> None:
    """Let the session's start pass (setup: the API cannot book in the past)."""
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    await Session.filter(id=relay.GlobalID.from_id(session_id).node_id).update(
        starts_at=start, ends_at=start + timedelta(hours=1))


async def test_the_professional_completes_a_session_once_it_has_started(api):
    setup, session = await _booked(api)
    early = (await api.data(COMPLETE, {"input": {"sessionId": session["id"]}},
                            token=setup.professional))["completeSession"]
    assert codes(early) == ["WRONG_STATUS"]
    await _started(session["id"])
    by_client = (await api.data(COMPLETE, {"input": {"sessionId": session["id"]}},
                                token=setup.client))["completeSession"]
    assert codes(by_client) == ["NOT_ALLOWED"]
    payload = (await api.data(COMPLETE, {"input": {"sessionId": session["id"]}},
                              token=setup.professional))["completeSession"]
    assert payload["userErrors"] == []
    assert payload["session"]["status"] == "COMPLETED"
    assert payload["session"]["history"][-1]["toStatus"] == "COMPLETED"


async def test_the_professional_marks_a_no_show(api):
    setup, session = await _booked(api)
    await _started(session["id"])
    payload = (await api.data(NO_SHOW, {"input": {"sessionId": session["id"]}},
                              token=setup.professional))["markNoShow"]
    assert payload["session"]["status"] == "NO_SHOW"
    again = (await api.data(COMPLETE, {"input": {"sessionId": session["id"]}},
                            token=setup.professional))["completeSession"]
    assert again["userErrors"][0]["message"] == "This session has already been marked a no-show."


async def test_both_participants_hear_about_a_booking_and_a_cancellation(
        api, settings, bus_settings):
    setup = await practice(api, self_booking=True, weeklyHours=ALL_DAY, timeZone="UTC")
    bus = events_for(bus_settings)
    await bus.start()
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(
                app=create_app(settings, manage_database=False, events=bus)),
                base_url="http://hub.test") as http,
            bus.listen(f"account:{await _account_id(api, setup.client)}") as client_events,
            bus.listen(f"account:{await _account_id(api, setup.professional)}") as pro_events,
        ):
            events_api = Api(settings)
            events_api.http = http
            booked = await book(events_api, setup.client, setup.engagement_id, soon(48))
            session_id = relay.GlobalID.from_id(booked["session"]["id"]).node_id
            await events_api.data(CANCEL, {"input": {"sessionId": booked["session"]["id"]}},
                                  token=setup.client)
            for queue in (client_events, pro_events):
                kinds = [await asyncio.wait_for(queue.get(), timeout=5) for _ in range(2)]
                assert kinds == [{"kind": "session_booked", "sessionId": session_id},
                                 {"kind": "session_cancelled", "sessionId": session_id}]
    finally:
        await bus.stop()


async def _account_id(api, token: str) -> str:
    viewer = (await api.data("{ viewer { id } }", token=token))["viewer"]
    return relay.GlobalID.from_id(viewer["id"]).node_id


async def test_ending_an_engagement_cancels_its_upcoming_sessions_and_frees_the_time(
        api, mailbox):
    setup, inside_window = await _booked(api, hours_ahead=5)
    later = await book(api, setup.professional, setup.engagement_id, soon(72))
    assert later["userErrors"] == []
    ended = (await api.data(END, {"input": {"engagementId": setup.engagement_id}},
                            token=setup.client))["endEngagement"]
    assert ended["userErrors"] == []

    for session in (inside_window, later["session"]):
        seen = (await api.data(SESSION, {"id": session["id"]},
                               token=setup.professional))["node"]
        assert seen["status"] == "CANCELLED"  # never late: the engagement ended
        assert seen["cancelledBy"] == "CLIENT"
        assert seen["history"][-1]["reasonCode"] == "ENGAGEMENT_ENDED"
    assert await Session.filter(reminder_due_at__isnull=False).count() == 0
    refused = await book(api, setup.professional, setup.engagement_id, soon(96))
    assert codes(refused) == ["ENGAGEMENT_NOT_ACTIVE"]

    await mailbox.deliver()
    cancellations = [m for m in mailbox.to("sigrun@example.com")
                     if m["Subject"].startswith("Session cancelled")]
    assert len(cancellations) == 2
    assert {_calendar_of(m)["METHOD"] for m in cancellations} == {"CANCEL"}
    assert mailbox.last("sigrun@example.com")["Subject"].endswith("has ended")
