"""Consent: registration needs the versions in force, a new version asks again."""

from __future__ import annotations

from typing import Any

from models.accounts import Account
from models.consent import Consent
from models.outbox import OutboxMessage
from tests.api_client import Api
from tests.helpers import CURRENT_TERMS, PASSWORD, REGISTER, register
from tests.mailbox import token_in
from tests.practice_steps import (
    ACCEPT,
    UPDATE_SERVICE,
    create_service,
    full_details,
    invite,
    professional,
)

CONSENTS = "{ viewer { consentRequired consents { document version acceptedAt } } }"
LEGAL = "{ legalDocuments { termsVersion privacyNoticeVersion } }"
ACCEPT_TERMS = """
mutation($input: AcceptTermsInput!) {
  acceptTerms(input: $input) { consentRequired userErrors { field code } }
}"""


def _form(email: str, **terms: str) -> dict[str, Any]:
    return {"input": {"email": email, "password": PASSWORD, "name": "Anna",
                      "timeZone": "UTC", **CURRENT_TERMS, **terms}}


async def test_the_registration_form_shows_the_versions_in_force(api):
    assert (await api.data(LEGAL))["legalDocuments"] == {
        "termsVersion": api.settings.terms_version,
        "privacyNoticeVersion": api.settings.privacy_notice_version,
    }


async def test_a_stale_or_empty_version_is_refused_alike_for_taken_and_new_addresses(api):
    await register(api, "anna@example.com")
    mails = await OutboxMessage.all().count()
    stale = {"acceptedTerms": "2020-01-01", "acceptedPrivacyNotice": ""}

    taken = await api.data(REGISTER, _form("anna@example.com", **stale))
    new = await api.data(REGISTER, _form("new@example.com", **stale))

    assert taken == new
    assert taken["register"]["accepted"] is False
    assert [e["field"] for e in taken["register"]["userErrors"]] == [
        "acceptedTerms", "acceptedPrivacyNotice"]
    assert not await Account.exists(email="new@example.com")
    assert await OutboxMessage.all().count() == mails


async def test_a_new_account_has_accepted_the_versions_in_force(api):
    token = await register(api, "anna@example.com")
    viewer = (await api.data(CONSENTS, token=token))["viewer"]
    assert viewer["consentRequired"] is False
    assert sorted((c["document"], c["version"]) for c in viewer["consents"]) == [
        ("PRIVACY_NOTICE", api.settings.privacy_notice_version),
        ("TERMS", api.settings.terms_version),
    ]


async def test_an_invitation_accepted_as_a_new_person_needs_the_versions_too(api, mailbox):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    await invite(api, sigrun, service["id"])
    await mailbox.deliver()
    token = token_in(mailbox.last("anna@example.com"))
    refused = (await api.data(ACCEPT, {"input": {
        "token": token, "details": full_details(service),
        "newAccount": {"password": PASSWORD, "timeZone": "UTC", "acceptedTerms": "old",
                       "acceptedPrivacyNotice": CURRENT_TERMS["acceptedPrivacyNotice"]},
    }}))["acceptInvitation"]
    assert [e["field"] for e in refused["userErrors"]] == ["newAccount.acceptedTerms"]
    accepted = (await api.data(ACCEPT, {"input": {
        "token": token, "details": full_details(service),
        "newAccount": {"password": PASSWORD, "timeZone": "UTC", **CURRENT_TERMS},
    }}))["acceptInvitation"]
    assert accepted["userErrors"] == []
    anna = await Account.get(email="anna@example.com")
    assert await Consent.filter(account_id=anna.id).count() == 2


async def test_a_new_version_asks_again_until_accepted(api):
    token = await register(api, "anna@example.com")
    async with Api(api.settings.with_changes(terms_version="2027-06-01")) as newer:
        assert (await newer.data(CONSENTS, token=token))["viewer"]["consentRequired"] is True

        old = (await newer.data(ACCEPT_TERMS, {"input": CURRENT_TERMS}, token=token)
               )["acceptTerms"]
        assert old == {"consentRequired": None, "userErrors": [
            {"field": "acceptedTerms", "code": "INVALID_INPUT"}]}

        current = {**CURRENT_TERMS, "acceptedTerms": "2027-06-01"}
        accepted = (await newer.data(ACCEPT_TERMS, {"input": current}, token=token)
                    )["acceptTerms"]
        assert accepted == {"consentRequired": False, "userErrors": []}
        again = (await newer.data(ACCEPT_TERMS, {"input": current}, token=token))["acceptTerms"]
        assert again == accepted

        viewer = (await newer.data(CONSENTS, token=token))["viewer"]
        assert [c["version"] for c in viewer["consents"] if c["document"] == "TERMS"] == [
            "2027-06-01", api.settings.terms_version]


PURPOSE = "query($slug: String!) { publicService(slug: $slug) { requiredDetails detailsPurpose } }"


async def test_the_client_is_shown_why_the_details_are_asked_before_giving_them(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    shown = (await api.data(PURPOSE, {"slug": service["slug"]}))["publicService"]
    assert shown["requiredDetails"] == ["PHONE", "DATE_OF_BIRTH"]
    assert shown["detailsPurpose"].startswith("Sigrún Jónsdóttir asks for these details to "
                                              "provide the service")

    own = "To reach you if a session moves, and for my records under health-records law."
    updated = (await api.data(UPDATE_SERVICE, {"input": {
        "serviceId": service["id"], "detailsPurpose": own}}, token=sigrun))["updateService"]
    assert updated["userErrors"] == []
    assert (await api.data(PURPOSE, {"slug": service["slug"]}))["publicService"][
        "detailsPurpose"] == own
