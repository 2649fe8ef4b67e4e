"""Private calendar feeds: a secret URL a calendar app subscribes to, revocable."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Calendar

from models.scheduling import CalendarFeed
from tests.scheduling_steps import CANCEL, book, every_day, parse, practice, soon

CREATE = """
mutation { createCalendarFeed { url feed { id createdAt revokedAt } userErrors { code } } }"""
REVOKE = """
mutation($input: RevokeCalendarFeedInput!) {
  revokeCalendarFeed(input: $input) { feed { id revokedAt } userErrors { field message code } }
}"""
FEEDS = "{ calendarFeeds { id lastFetchedAt } }"


async def _feed(api, token: str) -> tuple[str, str]:
    payload = (await api.data(CREATE, token=token))["createCalendarFeed"]
    assert payload["userErrors"] == []
    return urlsplit(payload["url"]).path, payload["feed"]["id"]


async def test_the_feed_lists_the_accounts_sessions_at_the_right_times(api):
    setup = await practice(api, weeklyHours=every_day("00:00", "00:00"), timeZone="UTC")
    first = (await book(api, setup.professional, setup.engagement_id, soon(30)))["session"]
    second = (await book(api, setup.professional, setup.engagement_id, soon(54)))["session"]
    third = (await book(api, setup.professional, setup.engagement_id, soon(78)))["session"]
    await api.data(CANCEL, {"input": {"sessionId": third["id"]}}, token=setup.client)
    path, _ = await _feed(api, setup.client)
    assert path.startswith("/calendar/")
    assert path.endswith(".ics")

    response = await api.http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
        (parse(s["startsAt"]), parse(s["startsAt"]) + timedelta(hours=1))
        for s in (first, second)]
    assert {str(e["SUMMARY"]) for e in events} == {
        "Psychological counselling: Sigrún Jónsdóttir"}
    assert {str(e["CLASS"]) for e in events} == {"PRIVATE"}
    assert "METHOD" not in calendar

    pro_path, _ = await _feed(api, setup.professional)
    pro_events = Calendar.from_ical((await api.http.get(pro_path)).content).walk("VEVENT")
    assert {str(e["SUMMARY"]) for e in pro_events} == {
        "Psychological counselling: Anna Jónsdóttir"}
    fetched = (await api.data(FEEDS, token=setup.client))["calendarFeeds"]
    assert fetched[0]["lastFetchedAt"] is not None


async def test_a_revoked_or_unknown_feed_is_not_found(api):
    setup = await practice(api)
    path, feed_id = await _feed(api, setup.client)
    stranger = (await api.data(REVOKE, {"input": {"id": feed_id}},
                               token=setup.professional))["revokeCalendarFeed"]
    assert [e["code"] for e in stranger["userErrors"]] == ["NOT_FOUND"]
    revoked = (await api.data(REVOKE, {"input": {"id": feed_id}},
                              token=setup.client))["revokeCalendarFeed"]
    assert revoked["feed"]["revokedAt"] is not None
    assert (await api.http.get(path)).status_code == 404
    assert (await api.http.get("/calendar/not-a-token.ics")).status_code == 404
    assert (await api.http.get("/calendar/" + "A" * 43 + ".ics")).status_code == 404
    assert (await api.data(FEEDS, token=setup.client))["calendarFeeds"] == []


async def test_only_a_hash_of_the_feed_token_is_stored(api):
    setup = await practice(api)
    path, _ = await _feed(api, setup.client)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    stored = await CalendarFeed.get()
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
