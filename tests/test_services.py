"""Services and the professional profile, through the API as the SPA uses them."""

from __future__ import annotations

import re

from tests.practice_steps import (
    ARCHIVE_SERVICE,
    CREATE_SERVICE,
    NODE,
    PRACTICE,
    PUBLIC_SERVICE,
    UPDATE_SERVICE,
    client,
    codes,
    create_service,
    professional,
    psychology,
    request,
)

UPDATE_PROFILE = """
mutation($input: UpdateProfessionalProfileInput!) {
  updateProfessionalProfile(input: $input) {
    profile { id displayName profession practiceName registrationNumber vatNumber
              contactEmail contactPhone timeZone }
    userErrors { field message code }
  }
}"""


async def test_create_service_publishes_a_request_link(api):
    token = await professional(api)
    service = await create_service(api, token, vatRateBasisPoints=2400, cardRequired=True)

    assert service["title"] == "Psychological counselling"
    assert service["kind"] == "PSYCHOLOGY"
    assert service["price"] == {"amount": 18000, "currency": "ISK"}
    assert service["vatRateBasisPoints"] == 2400
    assert service["cardRequired"] is True
    assert service["selfBooking"] is False
    assert service["cancellationWindowHours"] == 24
    assert service["requiredDetails"] == ["PHONE", "DATE_OF_BIRTH"]
    assert [q["text"] for q in service["customQuestions"]] == ["What would you like help with?"]
    assert re.fullmatch(r"psychological-counselling-[a-z0-9]{6}", service["slug"])
    assert service["requestUrl"] == f"http://127.0.0.1:8000/s/{service['slug']}"
    assert service["professional"]["displayName"] == "Sigrún Jónsdóttir"


async def test_vat_rate_defaults_to_zero(api):
    token = await professional(api)
    data = await api.data(CREATE_SERVICE, {"input": {
        "title": "Coaching", "kind": "COACHING", "sessionMinutes": 60,
        "price": {"amount": 9000, "currency": "eur"},
    }}, token=token)
    service = data["createService"]["service"]
    assert service["vatRateBasisPoints"] == 0
    assert service["price"] == {"amount": 9000, "currency": "EUR"}
    assert service["requiredDetails"] == []


async def test_create_service_lists_every_bad_field(api):
    token = await professional(api)
    data = await api.data(CREATE_SERVICE, {"input": psychology(
        title=" ", sessionMinutes=1, price={"amount": -5, "currency": "XXX"},
        vatRateBasisPoints=10_001, cancellationWindowHours=-1, customQuestions=[{"text": ""}],
    )}, token=token)
    payload = data["createService"]
    assert payload["service"] is None
    assert {e["field"] for e in payload["userErrors"]} == {
        "title", "sessionMinutes", "price.amount", "price.currency", "vatRateBasisPoints",
        "cancellationWindowHours", "customQuestions.0.text",
    }
    assert (await api.data(PRACTICE, token=token))["practice"]["services"] == []


async def test_a_client_cannot_create_services(api):
    token = await client(api)
    body = await api(CREATE_SERVICE, {"input": psychology()}, token=token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"


async def test_update_keeps_the_slug_and_the_ids_of_kept_questions(api):
    token = await professional(api)
    service = await create_service(api, token)
    kept = service["customQuestions"][0]
    data = await api.data(UPDATE_SERVICE, {"input": {
        "serviceId": service["id"], "title": "Counselling for adults",
        "price": {"amount": 20000, "currency": "ISK"},
        "customQuestions": [{"id": kept["id"], "text": "What brings you here?"},
                            {"text": "Have you seen a psychologist before?", "required": False}],
    }}, token=token)
    updated = data["updateService"]["service"]
    assert data["updateService"]["userErrors"] == []
    assert updated["slug"] == service["slug"]
    assert updated["title"] == "Counselling for adults"
    assert updated["price"]["amount"] == 20000
    assert updated["kind"] == "PSYCHOLOGY"
    assert updated["customQuestions"][0] == {"id": kept["id"], "text": "What brings you here?",
                                             "required": True}
    assert updated["customQuestions"][1]["required"] is False
    assert updated["customQuestions"][1]["id"] != kept["id"]


async def test_archived_service_disappears_from_its_link_but_stays_in_the_practice(api):
    token = await professional(api)
    service = await create_service(api, token)
    data = await api.data(ARCHIVE_SERVICE, {"input": {"serviceId": service["id"]}}, token=token)
    assert data["archiveService"]["service"]["archivedAt"] is not None
    assert (await api.data(PUBLIC_SERVICE, {"slug": service["slug"]}))["publicService"] is None
    practice = (await api.data(PRACTICE, token=token))["practice"]
    assert [s["id"] for s in practice["services"]] == [service["id"]]
    current = await api.data("{ practice { services { id } } }", token=token)
    assert current["practice"]["services"] == []


async def test_public_service_shows_what_a_prospective_client_sees_without_signing_in(api):
    token = await professional(api)
    await api.data(UPDATE_PROFILE, {"input": {
        "displayName": "Dr. Sigrún", "profession": "Psychologist",
        "practiceName": "Sálfræðistofan", "contactEmail": "stofa@example.com",
    }}, token=token)
    service = await create_service(api, token)

    public = (await api.data(PUBLIC_SERVICE, {"slug": service["slug"]}))["publicService"]
    assert public["professionalName"] == "Dr. Sigrún"
    assert public["profession"] == "Psychologist"
    assert public["practiceName"] == "Sálfræðistofan"
    assert public["price"] == {"amount": 18000, "currency": "ISK"}
    assert public["requiredDetails"] == ["PHONE", "DATE_OF_BIRTH"]
    assert public["customQuestions"] == service["customQuestions"]
    assert (await api.data(PUBLIC_SERVICE, {"slug": "no-such-service"}))["publicService"] is None


async def test_profile_update_changes_only_what_is_given_and_lists_bad_fields(api):
    token = await professional(api)
    data = await api.data(UPDATE_PROFILE, {"input": {
        "practiceName": "Stofan ehf.", "registrationNumber": "550199-1234",
        "vatNumber": "IS123456", "contactPhone": "+354 555 0000",
    }}, token=token)
    profile = data["updateProfessionalProfile"]["profile"]
    assert profile["displayName"] == "Sigrún Jónsdóttir"
    assert profile["timeZone"] == "Atlantic/Reykjavik"
    assert profile["registrationNumber"] == "550199-1234"

    bad = await api.data(UPDATE_PROFILE, {"input": {
        "displayName": "", "contactEmail": "nope", "contactPhone": "call me", "timeZone": "Moon",
    }}, token=token)
    assert {e["field"] for e in bad["updateProfessionalProfile"]["userErrors"]} == {
        "displayName", "contactEmail", "contactPhone", "timeZone",
    }
    practice = (await api.data(PRACTICE, token=token))["practice"]
    assert practice["profile"]["displayName"] == "Sigrún Jónsdóttir"


async def test_a_professional_cannot_see_or_touch_another_professionals_service(api):
    sigrun = await professional(api)
    oliver = await professional(api, "oliver@example.com", "Oliver Bennett")
    service = await create_service(api, sigrun)

    assert (await api.data(NODE, {"id": service["id"]}, token=oliver))["node"] is None
    assert (await api.data(NODE, {"id": service["id"]}))["node"] is None
    assert (await api.data(NODE, {"id": service["id"]}, token=sigrun))["node"]["id"] == (
        service["id"]
    )
    assert (await api.data(PRACTICE, token=oliver))["practice"]["services"] == []

    update = await api.data(UPDATE_SERVICE, {"input": {"serviceId": service["id"],
                                                        "title": "Mine now"}}, token=oliver)
    archive = await api.data(ARCHIVE_SERVICE, {"input": {"serviceId": service["id"]}},
                             token=oliver)
    assert codes(update["updateService"]) == ["NOT_FOUND"]
    assert codes(archive["archiveService"]) == ["NOT_FOUND"]
    unknown = await api.data(ARCHIVE_SERVICE, {"input": {"serviceId": "not-an-id"}},
                             token=oliver)
    assert unknown["archiveService"]["userErrors"] == archive["archiveService"]["userErrors"]

    mine = (await api.data(NODE, {"id": service["id"]}, token=sigrun))["node"]
    assert mine["id"] == service["id"]
    public = (await api.data(PUBLIC_SERVICE, {"slug": service["slug"]}))["publicService"]
    assert public["title"] == "Psychological counselling"


async def test_a_client_sees_the_service_and_profile_of_their_engagement_only(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    anna = await client(api)
    bjorn = await client(api, "bjorn@example.com", "Björn")
    assert (await request(api, anna, service))["userErrors"] == []

    assert (await api.data(NODE, {"id": service["id"]}, token=anna))["node"]["id"] == (
        service["id"]
    )
    profile_id = service["professional"]["id"]
    assert (await api.data(NODE, {"id": profile_id}, token=anna))["node"]["id"] == profile_id
    assert (await api.data(NODE, {"id": service["id"]}, token=bjorn))["node"] is None
    assert (await api.data(NODE, {"id": profile_id}, token=bjorn))["node"] is None
