"""A session's "Add to calendar" file: a signed, expiring link for its two participants only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar
from strawberry import relay

from models.accounts import Account
from models.scheduling import Session
from resolvers.core import signed_links
from resolvers.scheduling.session_calendar_files import PURPOSE, calendar_file_url
from tests.helpers import register
from tests.scheduling_steps import book, every_day, parse, practice, soon

SESSION = """query($id: ID!) { node(id: $id) { ... on Session { calendarFileUrl } } }"""


async def _url(api, token: str, session_id: str) -> str | None:
    node = (await api.data(SESSION, {"id": session_id}, token=token))["node"]
    return node["calendarFileUrl"] if node else None


async def _get(api, url: str):
    parts = urlsplit(url)
    return await api.http.get(f"{parts.path}?{parts.query}")


async def test_each_participant_downloads_the_session_as_their_calendar_shows_it(api):
    setup = await practice(api, weeklyHours=every_day("00:00", "00:00"), timeZone="UTC")
    booked = (await book(api, setup.professional, setup.engagement_id, soon(30)))["session"]

    for token, other in ((setup.client, "Sigrún Jónsdóttir"),
                         (setup.professional, "Anna Jónsdóttir")):
        url = await _url(api, token, booked["id"])
        assert url is not None
        assert urlsplit(url).path.endswith(".ics")
        response = await _get(api, url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/calendar")
        assert response.headers["content-disposition"].startswith("attachment")
        calendar = Calendar.from_ical(response.content)
        assert calendar.name == "VCALENDAR"
        assert "METHOD" not in calendar
        [event] = calendar.walk("VEVENT")
        starts = parse(booked["startsAt"])
        assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (
            starts, starts + timedelta(hours=1))
        assert str(event["SUMMARY"]) == f"Psychological counselling: {other}"


async def test_someone_elses_tampered_or_expired_link_is_not_found(api, settings):
    setup = await practice(api, weeklyHours=every_day("00:00", "00:00"), timeZone="UTC")
    booked = (await book(api, setup.professional, setup.engagement_id, soon(30)))["session"]
    stranger_token = await register(api, "stranger@example.com", name="Jón Jónsson")
    stranger = await Account.get(email="stranger@example.com")
    session = await Session.get(id=relay.from_base64(booked["id"])[1])
    url = await _url(api, setup.client, booked["id"])
    assert url is not None
    client_id = str(session.client_id)

    assert await _url(api, stranger_token, booked["id"]) is None
    assert calendar_file_url(settings, session, stranger) is None
    # A genuine signature for someone who is not (or no longer) a participant opens nothing:
    expires = signed_links.expiry(15)
    signed_for_stranger = (
        f"/sessions/{session.id}.ics?for={stranger.id}&expires={expires}&signature="
        + signed_links.signature(settings, PURPOSE, str(session.id), str(stranger.id), expires))
    swapped = url.replace(client_id, str(stranger.id))
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    client = await Account.get(id=session.client_id)
    expired = calendar_file_url(settings, session, client,
                                now=datetime.now(UTC) - timedelta(days=1))
    assert expired is not None
    for refused in (signed_for_stranger, swapped, tampered, expired):
        response = await _get(api, refused)
        assert response.status_code == 404, refused
        assert "BEGIN:VCALENDAR" not in response.text
