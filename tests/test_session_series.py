"""Recurring sessions: a series keeps the professional's wall-clock time and reports the dates
it could not book."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from models.scheduling import Session, SessionSeries
from tests.mailbox import text_of
from tests.practice_steps import client, codes
from tests.scheduling_steps import (
    BOOK_SERIES,
    CANCEL_SERIES,
    book,
    iso,
    local,
    next_clock_change,
    parse,
    practice,
    with_client,
)
from tests.sql_count import counting_statements

LONDON = "Europe/London"


async def _series(api, token, engagement_id, starts_at, **repeat):
    return (await api.data(BOOK_SERIES, {"input": {
        "engagementId": engagement_id, "startsAt": iso(starts_at), **repeat,
    }}, token=token))["bookSeries"]


SERIES_SESSIONS = """query($id: ID!) { node(id: $id) { ... on SessionSeries {
  sessions { startsAt service { title } } } } }"""


async def test_a_weekly_series_across_the_clock_change_keeps_the_time_and_skips_a_taken_date(
        api, mailbox):
    setup = await practice(api)
    change = next_clock_change(LONDON)
    first_day = change - timedelta(days=change.weekday() + 7 * 4)  # a Monday, 4 weeks before
    dates = [first_day + timedelta(weeks=n) for n in range(10)]
    taken_day = dates[5]
    other = await client(api, "bjorn@example.com", "Björn")
    second = await with_client(api, setup.professional, setup.service, other)
    taken = await book(api, setup.professional, second.engagement_id,
                       local(taken_day, "10:00", LONDON))
    assert taken["userErrors"] == []

    payload = await _series(api, setup.professional, setup.engagement_id,
                            local(first_day, "10:00", LONDON), everyWeeks=1, count=10)

    assert payload["userErrors"] == []
    assert payload["series"]["count"] == 10
    booked = [parse(s["startsAt"]) for s in payload["sessions"]]
    assert booked == [local(day, "10:00", LONDON) for day in dates if day != taken_day]
    assert {b.astimezone(ZoneInfo(LONDON)).strftime("%a %H:%M") for b in booked} == {
        "Mon 10:00"}
    assert {b.hour for b in booked} == {9, 10}, "10:00 GMT in winter, 10:00 BST in summer"
    assert [{**s, "startsAt": parse(s["startsAt"])} for s in payload["skipped"]] == [{
        "startsAt": local(taken_day, "10:00", LONDON), "code": "SLOT_TAKEN",
        "message": "That time is already taken; choose another time."}]
    assert {s["series"]["id"] for s in payload["sessions"]} == {payload["series"]["id"]}
    assert await Session.filter(series_id__isnull=False).count() == 9
    listed = (await api.data(SERIES_SESSIONS, {"id": payload["series"]["id"]},
                             token=setup.client))["node"]["sessions"]
    assert [parse(s["startsAt"]) for s in listed] == booked
    assert {s["service"]["title"] for s in listed} == {"Psychological counselling"}

    await mailbox.deliver()
    mail = mailbox.last("anna@example.com")
    assert mail["Subject"] == "Sessions booked: Psychological counselling"
    assert "These dates could not be booked:" in text_of(mail)
    calendars = [Calendar.from_ical(part.get_payload(decode=True))
                 for part in mail.iter_attachments()]
    assert len(calendars) == 9


async def test_every_other_week_until_a_date(api):
    setup = await practice(api)
    change = next_clock_change(LONDON)
    first_day = change + timedelta(days=7 - change.weekday())
    payload = await _series(api, setup.professional, setup.engagement_id,
                            local(first_day, "09:00", LONDON), everyWeeks=2,
                            until=(first_day + timedelta(weeks=6)).isoformat())
    assert payload["userErrors"] == []
    assert [parse(s["startsAt"]) for s in payload["sessions"]] == [
        local(first_day + timedelta(weeks=n), "09:00", LONDON) for n in (0, 2, 4, 6)]


async def test_series_limits_are_user_errors_and_nothing_is_written(api):
    setup = await practice(api)
    start = local(next_clock_change(LONDON) + timedelta(days=1), "09:00", LONDON)
    too_many = await _series(api, setup.professional, setup.engagement_id, start, count=53)
    assert too_many["userErrors"] == [{"field": "count", "code": "INVALID_INPUT",
                                       "message": "A series has 1 to 52 sessions."}]
    both = await _series(api, setup.professional, setup.engagement_id, start, count=3,
                         until="2030-01-01")
    assert codes(both) == ["INVALID_INPUT"]
    assert await SessionSeries.all().count() == 0
    assert await Session.all().count() == 0


async def test_a_series_with_no_bookable_date_books_nothing(api):
    setup = await practice(api)
    start = local(next_clock_change(LONDON) + timedelta(days=1), "15:00", LONDON)
    payload = await _series(api, setup.professional, setup.engagement_id, start, count=3)
    assert payload["series"] is None
    assert payload["sessions"] == []
    assert {s["code"] for s in payload["skipped"]} == {"OUTSIDE_AVAILABILITY"}
    assert await SessionSeries.all().count() == 0


async def test_a_series_is_cancelled_from_a_date_onward(api, mailbox):
    setup = await practice(api)
    first_day = next_clock_change(LONDON) + timedelta(days=1)
    payload = await _series(api, setup.professional, setup.engagement_id,
                            local(first_day, "11:00", LONDON), count=4)
    sessions = payload["sessions"]
    cancelled = (await api.data(CANCEL_SERIES, {"input": {
        "seriesId": payload["series"]["id"], "from": sessions[2]["startsAt"],
        "reason": "Moving abroad",
    }}, token=setup.client))["cancelSeries"]
    assert cancelled["userErrors"] == []
    assert [s["id"] for s in cancelled["sessions"]] == [s["id"] for s in sessions[2:]]
    assert {s["status"] for s in cancelled["sessions"]} == {"CANCELLED"}
    statuses = [s.status.value for s in await Session.all().order_by("starts_at")]
    assert statuses == ["scheduled", "scheduled", "cancelled", "cancelled"]
    await mailbox.deliver()
    cancellations = [m for m in mailbox.to("anna@example.com")
                     if m["Subject"].startswith("Session cancelled")]
    assert len(cancellations) == 2
    assert all("Moving abroad" not in text_of(m) for m in cancellations)


async def test_a_series_loads_its_booked_sessions_once_for_mail_events_and_answer(api):
    """Each booked session used to be loaded twice, one query pair per session."""
    setup = await practice(api)
    change = next_clock_change(LONDON)
    start = local(change - timedelta(days=change.weekday() + 7 * 4), "10:00", LONDON)
    with counting_statements() as statements:
        payload = await _series(api, setup.professional, setup.engagement_id, start,
                                everyWeeks=1, count=6)
    assert len(payload["sessions"]) == 6
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    session_loads = [s for s in selects if 'FROM "scheduling_session" LEFT OUTER JOIN' in s]
    service_loads = [s for s in selects if s.startswith('SELECT "service".')]
    assert (len(session_loads), len(service_loads)) == (1, 1)
