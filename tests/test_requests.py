"""Request links and engagements: asking, answering, ending, and who may see what."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.exceptions import IntegrityError

from models.accounts import Account
from models.practice import Engagement, EngagementSource, EngagementStatus, Service
from tests.mailbox import text_of
from tests.practice_steps import (
    APPROVE,
    DECLINE,
    END,
    MY_ENGAGEMENTS,
    NODE,
    PRACTICE,
    REQUEST,
    client,
    codes,
    create_service,
    professional,
    request,
)


async def _requested(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    anna = await client(api)
    payload = await request(api, anna, service, message="I would like weekly sessions.")
    assert payload["userErrors"] == []
    return sigrun, service, anna, payload["engagement"]


async def test_request_reaches_the_professional_who_approves_and_the_client_is_emailed(
        api, mailbox):
    sigrun, _, anna, engagement = await _requested(api)
    assert engagement["status"] == "REQUESTED"
    assert engagement["source"] == "REQUEST"
    assert engagement["requestMessage"] == "I would like weekly sessions."
    await mailbox.deliver()
    notice = mailbox.last("sigrun@example.com")
    assert notice["Subject"] == "New request: Psychological counselling"
    assert "Anna Jónsdóttir asks to connect" in text_of(notice)

    pending = (await api.data(PRACTICE, token=sigrun))["practice"]["pendingRequests"]
    assert [p["id"] for p in pending] == [engagement["id"]]
    assert pending[0]["client"] == {"name": "Anna Jónsdóttir", "email": "anna@example.com",
                                    "emailConfirmed": True}
    assert pending[0]["registrationDetails"]["phone"] == "+354 555 1234"

    approved = (await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}},
                               token=sigrun))["approveRequest"]
    assert approved["userErrors"] == []
    assert approved["engagement"]["status"] == "ACTIVE"
    await mailbox.deliver()
    answer = mailbox.last("anna@example.com")
    assert answer["Subject"] == "Sigrún Jónsdóttir accepted your request"
    assert (await api.data(PRACTICE, token=sigrun))["practice"]["pendingRequests"] == []
    mine = (await api.data(MY_ENGAGEMENTS, token=anna))["myEngagements"]
    assert [(e["id"], e["status"]) for e in mine] == [(engagement["id"], "ACTIVE")]


async def test_declined_client_is_emailed_the_reason_and_may_ask_again(api, mailbox):
    sigrun, service, anna, engagement = await _requested(api)
    declined = (await api.data(DECLINE, {"input": {
        "engagementId": engagement["id"], "reason": "My list is full until spring.",
    }}, token=sigrun))["declineRequest"]
    assert declined["engagement"] == {"id": engagement["id"], "status": "DECLINED",
                                      "declineReason": "My list is full until spring."}
    await mailbox.deliver()
    answer = mailbox.last("anna@example.com")
    assert answer["Subject"] == "Your request for Psychological counselling"
    assert "My list is full until spring." in text_of(answer)

    again = await request(api, anna, service)
    assert again["userErrors"] == []
    assert again["engagement"]["id"] != engagement["id"]
    assert again["engagement"]["status"] == "REQUESTED"


async def test_declining_needs_a_reason(api):
    sigrun, _, _, engagement = await _requested(api)
    payload = (await api.data(DECLINE, {"input": {"engagementId": engagement["id"],
                                                  "reason": "  "}}, token=sigrun))
    assert payload["declineRequest"]["userErrors"][0]["field"] == "reason"
    assert (await Engagement.get()).status is EngagementStatus.REQUESTED


async def test_a_duplicate_request_is_refused_while_requested_and_while_active(api):
    sigrun, service, anna, engagement = await _requested(api)
    duplicate = await request(api, anna, service)
    assert codes(duplicate) == ["ALREADY_ENGAGED"]
    assert "already asked" in duplicate["userErrors"][0]["message"]

    await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}}, token=sigrun)
    duplicate = await request(api, anna, service)
    assert codes(duplicate) == ["ALREADY_ENGAGED"]
    assert "already connected" in duplicate["userErrors"][0]["message"]
    assert await Engagement.all().count() == 1


async def test_two_requests_at_once_make_one_engagement(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    anna = await client(api)
    results = await asyncio.gather(*(request(api, anna, service) for _ in range(4)))
    assert sorted(len(r["userErrors"]) for r in results) == [0, 1, 1, 1]
    assert await Engagement.all().count() == 1


async def test_the_database_refuses_a_second_open_engagement_for_the_same_pair(api):
    """The partial unique index exists on both databases (created by the migration)."""
    sigrun = await professional(api)
    await create_service(api, sigrun)
    await client(api)
    anna = await Account.get(email="anna@example.com")
    service = await Service.get()
    fields = {"client": anna, "service": service, "source": EngagementSource.REQUEST}
    await Engagement.create(status=EngagementStatus.DECLINED, **fields)
    await Engagement.create(status=EngagementStatus.ENDED, **fields)
    await Engagement.create(status=EngagementStatus.REQUESTED, **fields)
    with pytest.raises(IntegrityError):
        await Engagement.create(status=EngagementStatus.ACTIVE, **fields)


async def test_missing_details_are_listed_for_a_request(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun, requiredDetails=["ADDRESS", "NATIONAL_ID"],
                                   customQuestions=[])
    anna = await client(api)
    payload = await request(api, anna, service, details={"nationalId": "010190-1234"})
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("details.address", "DETAIL_REQUIRED"),
    ]
    assert await Engagement.all().count() == 0


async def test_only_required_details_are_stored(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun, requiredDetails=["PHONE"], customQuestions=[])
    anna = await client(api)
    payload = await request(api, anna, service, details={
        "phone": "+354 555 1234", "nationalId": "010190-1234", "address": "Laugavegur 1",
    })
    details = payload["engagement"]["registrationDetails"]
    assert details["phone"] == "+354 555 1234"
    assert details["nationalId"] is None
    assert details["address"] is None


async def test_registration_details_are_encrypted_at_rest(api):
    await _requested(api)
    sealed = (await Engagement.get()).details_sealed
    assert sealed is not None
    assert b"555 1234" not in sealed
    assert b"Sleeping badly" not in sealed


async def test_requesting_an_unknown_or_own_service_is_refused(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    assert codes(await request(api, sigrun, service)) == ["OWN_SERVICE"]
    anna = await client(api)
    assert codes(await request(api, anna, {**service, "slug": "nothing-here"})) == ["NOT_FOUND"]


async def test_requesting_needs_sign_in(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    body = await api(REQUEST, {"input": {"slug": service["slug"]}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_professional_cannot_see_approve_or_touch_another_professionals_requests(api):
    sigrun, _, _, engagement = await _requested(api)
    oliver = await professional(api, "oliver@example.com", "Oliver Bennett")

    practice = (await api.data(PRACTICE, token=oliver))["practice"]
    assert practice["pendingRequests"] == []
    assert practice["engagements"] == []
    assert (await api.data(NODE, {"id": engagement["id"]}, token=oliver))["node"] is None
    for mutation, name, extra in ((APPROVE, "approveRequest", {}),
                                  (DECLINE, "declineRequest", {"reason": "No"}),
                                  (END, "endEngagement", {})):
        payload = (await api.data(mutation, {"input": {"engagementId": engagement["id"],
                                                       **extra}}, token=oliver))[name]
        assert codes(payload) == ["NOT_FOUND"], name
    assert (await Engagement.get()).status is EngagementStatus.REQUESTED
    assert (await api.data(NODE, {"id": engagement["id"]}, token=sigrun))["node"]["id"] == (
        engagement["id"]
    )


async def test_a_client_cannot_see_another_clients_engagements(api):
    _, service, anna, engagement = await _requested(api)
    bjorn = await client(api, "bjorn@example.com", "Björn Sigurðsson")
    assert (await request(api, bjorn, service))["userErrors"] == []

    assert (await api.data(NODE, {"id": engagement["id"]}, token=bjorn))["node"] is None
    assert (await api.data(NODE, {"id": engagement["id"]}))["node"] is None
    bjorns = (await api.data(MY_ENGAGEMENTS, token=bjorn))["myEngagements"]
    assert [e["client"]["email"] for e in bjorns] == ["bjorn@example.com"]
    ended = (await api.data(END, {"input": {"engagementId": engagement["id"]}},
                            token=bjorn))["endEngagement"]
    assert codes(ended) == ["NOT_FOUND"]
    node = (await api.data(NODE, {"id": engagement["id"]}, token=anna))["node"]
    assert node == {"__typename": "Engagement", "id": engagement["id"]}


async def test_a_client_ends_an_engagement_and_the_professional_is_emailed(api, mailbox):
    sigrun, _, anna, engagement = await _requested(api)
    await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}}, token=sigrun)
    ended = (await api.data(END, {"input": {"engagementId": engagement["id"],
                                            "reason": "I feel better now."}},
                            token=anna))["endEngagement"]
    assert ended["engagement"] == {"id": engagement["id"], "status": "ENDED",
                                   "endedBy": "CLIENT", "endReason": "I feel better now."}
    await mailbox.deliver()
    notice = mailbox.last("sigrun@example.com")
    assert notice["Subject"] == "Psychological counselling has ended"
    assert "I feel better now." in text_of(notice)
    again = (await api.data(END, {"input": {"engagementId": engagement["id"]}},
                            token=anna))["endEngagement"]
    assert codes(again) == ["WRONG_STATUS"]


async def test_a_professional_ends_an_engagement_and_the_client_is_emailed(api, mailbox):
    sigrun, _, _, engagement = await _requested(api)
    early = (await api.data(END, {"input": {"engagementId": engagement["id"]}},
                            token=sigrun))["endEngagement"]
    assert codes(early) == ["WRONG_STATUS"]
    await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}}, token=sigrun)
    ended = (await api.data(END, {"input": {"engagementId": engagement["id"]}},
                            token=sigrun))["endEngagement"]
    assert ended["engagement"]["endedBy"] == "PROFESSIONAL"
    await mailbox.deliver()
    assert mailbox.last("anna@example.com")["Subject"] == "Psychological counselling has ended"


async def test_a_client_may_withdraw_a_pending_request(api):
    _, service, anna, engagement = await _requested(api)
    ended = (await api.data(END, {"input": {"engagementId": engagement["id"]}},
                            token=anna))["endEngagement"]
    assert ended["engagement"]["status"] == "ENDED"
    assert (await request(api, anna, service))["userErrors"] == []


async def test_an_answered_request_cannot_be_answered_again(api):
    sigrun, _, _, engagement = await _requested(api)
    await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}}, token=sigrun)
    declined = (await api.data(DECLINE, {"input": {"engagementId": engagement["id"],
                                                   "reason": "Changed my mind"}},
                               token=sigrun))["declineRequest"]
    assert codes(declined) == ["WRONG_STATUS"]
    assert declined["userErrors"][0]["message"] == "This request has already been approved."
    assert (await Engagement.get()).status is EngagementStatus.ACTIVE
