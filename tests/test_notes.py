"""Writing notes and reading them back in the client's profile: order, paging, date range,
search, limits, exact round trips, sessions, changes and deletion."""

from __future__ import annotations

from datetime import datetime

from strawberry import relay

import seed
from models.notes import Note
from tests.helpers import login
from tests.note_steps import (
    DELETE,
    NOTE_NODE,
    NOTES,
    PROFILE,
    UPDATE,
    all_notes,
    client_profile_id,
    notes_page,
    practice_with_client,
    session_with,
    write,
    written,
)
from tests.practice_steps import END, client, codes, request
from tests.sql_count import counting_statements


async def test_a_note_written_about_a_client_comes_back_in_their_profile(api):
    practice = await practice_with_client(api)

    note = await written(api, practice.token, practice.client_id, date="2026-11-20",
                         title="Fyrsti tími", body="Þórunn talaði um svefninn.")

    assert (note["aboutDate"], note["state"], note["title"], note["body"], note["problem"]) == (
        "2026-11-20", "OPEN", "Fyrsti tími", "Þórunn talaði um svefninn.", None)
    [read] = await all_notes(api, practice.token, practice.client_id)
    assert read == note


async def test_the_profile_shows_contact_details_and_engagements_with_registration_answers(api):
    practice = await practice_with_client(api)

    profile = (await api.data(PROFILE, {"id": practice.client_id}, token=practice.token)
               )["clientProfile"]

    assert (profile["id"], profile["name"], profile["email"], profile["emailConfirmed"],
            profile["timeZone"]) == (practice.client_id, "Anna Jónsdóttir", "anna@example.com",
                                     True, "Atlantic/Reykjavik")
    [engagement] = profile["engagements"]
    assert engagement["status"] == "ACTIVE"
    assert engagement["service"]["title"] == "Psychological counselling"
    assert engagement["registrationDetails"] == {"phone": "+354 555 1234",
                                                 "dateOfBirth": "1990-04-01"}


async def test_notes_come_newest_date_first_then_last_written_and_page_by_cursor(api):
    practice = await practice_with_client(api)
    for date, title in [("2026-10-01", "a"), ("2026-11-02", "b"), ("2026-10-15", "c"),
                        ("2026-11-02", "d"), ("2026-09-30", "e")]:
        await written(api, practice.token, practice.client_id, date=date, title=title)

    titles, after = [], None
    while True:
        page = await notes_page(api, practice.token, practice.client_id, first=2, after=after)
        titles.append([edge["node"]["title"] for edge in page["edges"]])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert titles == [["d", "b"], ["c", "a"], ["e"]]


async def test_a_date_range_keeps_the_notes_about_those_days_inclusive(api):
    practice = await practice_with_client(api)
    for date in ["2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01"]:
        await written(api, practice.token, practice.client_id, date=date, title=date)

    page = await notes_page(api, practice.token, practice.client_id, **{
        "from": "2026-10-01", "to": "2026-10-31"})

    assert [e["node"]["aboutDate"] for e in page["edges"]] == ["2026-10-31", "2026-10-01"]


async def test_search_finds_notes_by_their_text_in_any_case_across_pages(api):
    practice = await practice_with_client(api)
    for day in range(1, 31):
        body = f"Dagur {day}: " + ("Ræddum SVEFNINN og drauma." if day % 7 == 0
                                   else "Öndunaræfingar.")
        await written(api, practice.token, practice.client_id, date=f"2026-09-{day:02}",
                      title=f"Tími {day}", body=body)
    await written(api, practice.token, practice.client_id, date="2026-10-05",
                  title="Svefninn aftur", body="Betra.")

    first = await notes_page(api, practice.token, practice.client_id, first=2,
                             search="  svefninn ")
    rest = await notes_page(api, practice.token, practice.client_id, first=2,
                            search="svefninn", after=first["pageInfo"]["endCursor"])

    assert [e["node"]["title"] for e in first["edges"]] == ["Svefninn aftur", "Tími 28"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["title"] for e in rest["edges"]] == ["Tími 21", "Tími 14"]
    last = await notes_page(api, practice.token, practice.client_id, first=2,
                            search="svefninn", after=rest["pageInfo"]["endCursor"])
    assert [e["node"]["title"] for e in last["edges"]] == ["Tími 7"]
    assert last["pageInfo"]["hasNextPage"] is False
    nothing = await notes_page(api, practice.token, practice.client_id, search="martröð")
    assert nothing["edges"] == []


async def test_a_100_kb_note_and_any_unicode_round_trip_exactly(api):
    practice = await practice_with_client(api)
    long_body = ("Þetta er löng færsla með íslenskum stöfum: ðæö. " * 2200)[:102_400]
    unicode_body = ("Íslenska: Ég hitti Þórð á Ísafirði. Emoji: 😴🧠👩🏽‍⚕️🏳️‍🌈. "
                    "עברית: שלום עולם. العربية: مرحبا بالعالم. Combining: e\u0301 "
                    "Zero-width: a\u200db. Tab\tand\nnew lines\r\n. \U0001f9ea")
    unicode_title = "Þ 😴 שלום مرحبا"

    big = await written(api, practice.token, practice.client_id, title="Langt",
                        body=long_body, date="2026-11-02")
    odd = await written(api, practice.token, practice.client_id, title=unicode_title,
                        body=unicode_body, date="2026-11-01")

    assert len(long_body.encode()) > 100 * 1024
    assert big["body"] == long_body
    [read_big, read_odd] = await all_notes(api, practice.token, practice.client_id)
    assert (read_big["id"], read_big["body"]) == (big["id"], long_body)
    assert (read_odd["id"], read_odd["title"], read_odd["body"]) == (
        odd["id"], unicode_title, unicode_body)


async def test_an_empty_body_is_a_user_error_and_nothing_is_written(api):
    practice = await practice_with_client(api)

    for body in ["", "   \n\t "]:
        payload = await write(api, practice.token, practice.client_id, body=body)
        assert payload["note"] is None
        [error] = payload["userErrors"]
        assert (error["field"], error["code"]) == ("body", "INVALID_INPUT")
        assert "empty" in error["message"]

    assert await Note.all().count() == 0


async def test_a_note_over_the_size_limit_is_a_user_error_that_says_the_limit(api):
    practice = await practice_with_client(api)

    payload = await write(api, practice.token, practice.client_id, body="ð" * 110_000,
                          title="x" * 201)

    assert payload["note"] is None
    messages = {e["field"]: e["message"] for e in payload["userErrors"]}
    assert "limit is 200 KB" in messages["body"]
    assert "200 characters" in messages["title"]
    assert await Note.all().count() == 0
    assert (await write(api, practice.token, practice.client_id, body="ð" * 100_000)
            )["userErrors"] == []


async def test_an_empty_title_is_allowed(api):
    practice = await practice_with_client(api)

    note = await written(api, practice.token, practice.client_id, title="", body="Stutt.")

    assert (note["title"], note["body"]) == ("", "Stutt.")


async def test_a_note_can_belong_to_a_session_of_the_two_and_be_unlinked(api):
    practice = await practice_with_client(api)
    session = await session_with(practice.email, practice.client_email)
    session_id = await _session_global_id(api, practice.token, session.id)

    note = await written(api, practice.token, practice.client_id, sessionId=session_id)
    assert note["session"]["id"] == session_id
    [read] = await all_notes(api, practice.token, practice.client_id)
    assert read["session"]["id"] == session_id

    unlinked = (await api.data(UPDATE, {"input": {"noteId": note["id"], "sessionId": None}},
                               token=practice.token))["updateNote"]
    assert unlinked["note"]["session"] is None
    assert unlinked["note"]["body"] == note["body"]


async def test_a_session_with_someone_else_or_a_wrong_id_is_refused(api):
    practice = await practice_with_client(api)
    other = await practice_with_client(api, "oliver@example.com", "bjorn@example.com")
    their_session = await session_with(other.email, other.client_email)
    their_id = await _session_global_id(api, other.token, their_session.id)

    for session_id in [their_id, practice.client_id, "not an id"]:
        payload = await write(api, practice.token, practice.client_id, sessionId=session_id)
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            ("sessionId", "NOT_FOUND")]
    assert await Note.all().count() == 0


async def test_updating_changes_only_what_is_given(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id, date="2026-11-20",
                         title="Fyrsti tími", body="Upphaflegt.")

    payload = (await api.data(UPDATE, {"input": {"noteId": note["id"], "body": "Breytt. 🌱"}},
                              token=practice.token))["updateNote"]
    assert payload["userErrors"] == []
    changed = payload["note"]
    assert (changed["title"], changed["body"], changed["aboutDate"]) == (
        "Fyrsti tími", "Breytt. 🌱", "2026-11-20")
    assert datetime.fromisoformat(changed["updatedAt"]) > datetime.fromisoformat(
        note["updatedAt"])

    moved = (await api.data(UPDATE, {"input": {"noteId": note["id"], "date": "2026-11-19",
                                               "title": "Annar"}},
                            token=practice.token))["updateNote"]["note"]
    assert (moved["title"], moved["body"], moved["aboutDate"]) == (
        "Annar", "Breytt. 🌱", "2026-11-19")
    assert await all_notes(api, practice.token, practice.client_id) == [moved]


async def test_updating_to_an_empty_body_is_refused_and_keeps_the_note(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)

    payload = (await api.data(UPDATE, {"input": {"noteId": note["id"], "body": " "}},
                              token=practice.token))["updateNote"]

    assert codes(payload) == ["INVALID_INPUT"]
    assert await all_notes(api, practice.token, practice.client_id) == [note]


async def test_a_deleted_note_is_gone(api):
    practice = await practice_with_client(api)
    keep = await written(api, practice.token, practice.client_id, title="keep")
    gone = await written(api, practice.token, practice.client_id, title="gone")

    payload = (await api.data(DELETE, {"input": {"noteId": gone["id"]}},
                              token=practice.token))["deleteNote"]

    assert payload == {"deletedNoteId": gone["id"], "userErrors": []}
    assert await all_notes(api, practice.token, practice.client_id) == [keep]
    again = (await api.data(DELETE, {"input": {"noteId": gone["id"]}},
                            token=practice.token))["deleteNote"]
    assert codes(again) == ["NOT_FOUND"]


async def test_a_note_opens_through_node_for_its_author(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)

    found = (await api.data(NOTE_NODE, {"id": note["id"]}, token=practice.token))["node"]

    assert found == note


async def test_notes_stay_after_the_engagement_ends(api):
    practice = await practice_with_client(api)
    note = await written(api, practice.token, practice.client_id)
    [engagement] = (await api.data("{ myEngagements { id } }", token=practice.client_token)
                    )["myEngagements"]
    ended = (await api.data(END, {"input": {"engagementId": engagement["id"]}},
                            token=practice.client_token))["endEngagement"]
    assert ended["engagement"]["status"] == "ENDED"

    assert await all_notes(api, practice.token, practice.client_id) == [note]
    assert (await write(api, practice.token, practice.client_id, body="Eftirfylgni.")
            )["userErrors"] == []


async def test_a_pending_request_is_not_yet_a_client_to_write_about(api):
    practice = await practice_with_client(api)
    pending_token = await client(api, "gudrun@example.com", "Guðrún")
    await request(api, pending_token, practice.service)
    [pending] = (await api.data("{ practice { pendingRequests { clientProfileId } } }",
                                token=practice.token))["practice"]["pendingRequests"]

    payload = await write(api, practice.token, pending["clientProfileId"])

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("clientId", "NOT_FOUND")]
    assert (await api.data(PROFILE, {"id": pending["clientProfileId"]}, token=practice.token)
            )["clientProfile"] is None


async def test_a_bad_cursor_or_a_reversed_date_range_is_a_clean_error(api):
    practice = await practice_with_client(api)

    for arguments, field in [({"after": "garbage"}, "after"),
                             ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
                             ({"first": 500}, "first")]:
        body = await api(NOTES, {"id": practice.client_id, **arguments}, token=practice.token)
        [error] = body["errors"]
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}
        assert "Something went wrong" not in error["message"]


async def _session_global_id(api, token: str, session_id) -> str:
    global_id = relay.to_base64("Session", str(session_id))
    found = (await api.data("query($id: ID!) { node(id: $id) { id } }", {"id": global_id},
                            token=token))["node"]
    assert found is not None
    return found["id"]


async def test_the_demo_psychologist_reads_her_seeded_notes(api, settings):
    await seed.seed(settings)
    token = (await login(api, "sigrun@demo.therapyhub.test", seed.DEMO_PASSWORD))["token"]

    client_id = await client_profile_id(api, token, "thorunn@demo.therapyhub.test")
    read = await all_notes(api, token, client_id)

    assert [n["state"] for n in read] == ["OPEN"] * 3
    assert read[-1]["title"] == "Fyrsti tími"


async def test_a_page_of_notes_costs_the_same_statements_for_2_notes_as_for_40(api):
    practice = await practice_with_client(api)
    session = await session_with(practice.email, practice.client_email)
    session_id = await _session_global_id(api, practice.token, session.id)
    counts = []
    for total in (2, 40):
        while len(await all_notes(api, practice.token, practice.client_id)) < total:
            await written(api, practice.token, practice.client_id, sessionId=session_id)
        with counting_statements() as statements:
            page = await notes_page(api, practice.token, practice.client_id, first=50)
        assert len(page["edges"]) == total
        counts.append(len(statements))

    assert counts[0] == counts[1]
    assert counts[0] <= 13, ("9 before the audit chain, whose append runs in its own (nested) "
                             "transaction, takes a lock on PostgreSQL and reads the head")
