"""deleteMyAccount: the person is gone, the records the law keeps stay under a pseudonym."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts import Account
from models.audit import AuditEntry
from models.notes import Note
from models.practice import Engagement, EngagementStatus, Service
from models.scheduling import Session, SessionStatus
from tests.helpers import PASSWORD, VIEWER, emailed_templates, login, register
from tests.note_steps import all_notes, client_profile_id, written
from tests.notes_support import raw_rows
from tests.payment_steps import (
    PAYMENTS,
    Practice,
    book,
    download,
    engaged_practice,
    pdf_text,
    record_manual,
    save_card,
    session_id,
)
from tests.practice_steps import APPROVE, full_details, request

DELETE = """
mutation($input: DeleteMyAccountInput!) {
  deleteMyAccount(input: $input) { deleted userErrors { field message code } }
}"""

CLIENT_EMAIL = "thorunn@example.is"
CLIENT_NAME = "Þórunn Ólafsdóttir"


async def delete(api: Any, token: str, password: str = PASSWORD, **identity: Any
                 ) -> dict[str, Any]:
    return (await api.data(DELETE, {"input": {"identity": {"password": password, **identity}}},
                           token=token))["deleteMyAccount"]


def _future(practice: Practice) -> Any:
    days = (datetime.now(UTC) + timedelta(days=7) - datetime(2026, 3, 2, tzinfo=UTC)).days
    return book(practice, day=days, status=SessionStatus.SCHEDULED)


async def _cells_holding(texts: list[str]) -> list[tuple[str, str]]:
    """(table, column) of every text cell in the database holding one of `texts`."""
    return [(table, column) for table, column, value in await raw_rows()
            if isinstance(value, str) and any(t.lower() in value.lower() for t in texts)]


async def _other_client(api: Any, practice: Practice) -> str:
    token = await register(api, "bjorn@example.is", name="Björn Gunnarsson")
    engagement = (await request(api, token, practice.service))["engagement"]
    assert (await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}},
                           token=practice.professional))["approveRequest"]["userErrors"] == []
    return token


async def test_a_deleted_client_is_erased_and_the_kept_records_are_pseudonymous(
        stripe_api, fake_stripe):
    api = stripe_api
    practice = await engaged_practice(api, client_email=CLIENT_EMAIL, client_name=CLIENT_NAME)
    other = await _other_client(api, practice)
    card = await save_card(api, fake_stripe, practice.client)
    past = await book(practice)
    paid = await record_manual(api, practice.professional, past)
    assert paid["userErrors"] == []
    upcoming = await _future(practice)
    profile_id = await client_profile_id(api, practice.professional, CLIENT_EMAIL)
    note = await written(api, practice.professional, profile_id, title="Fyrsti tími",
                         body="Svefninn batnar.")

    secrets = [CLIENT_NAME, "Þórunn", CLIENT_EMAIL, "thorunn@",
               full_details(practice.service)["phone"], "Sleeping badly"]
    assert await _cells_holding(secrets)  # the search finds them while they are there

    assert await delete(api, practice.client) == {"deleted": True, "userErrors": []}

    assert (await api.data(VIEWER, token=practice.client))["viewer"] is None
    refused = await login(api, CLIENT_EMAIL)
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert await _cells_holding(secrets) == []

    tombstone = await Account.get(id=practice.client_id)
    assert tombstone.name.startswith("Former client ")
    assert tombstone.erased_at is not None
    assert tombstone.email.endswith(".invalid")

    [payment] = (await api.data(PAYMENTS, {"id": session_id(past)},
                                token=practice.professional))["payments"]
    receipt = await download(api, payment["receiptUrl"])
    assert receipt.status_code == 200
    text = pdf_text(receipt.content)
    assert tombstone.name in text
    assert "Þórunn" not in text

    [kept] = await all_notes(api, practice.professional, profile_id)
    assert (kept["id"], kept["title"], kept["body"]) == (note["id"], "Fyrsti tími",
                                                         "Svefninn batnar.")
    assert await Note.filter(client_id=practice.client_id).count() == 1

    assert (await Session.get(id=upcoming.id)).status is SessionStatus.CANCELLED
    assert (await Session.get(id=past.id)).status is SessionStatus.COMPLETED
    engagement = await Engagement.get(id=practice.engagement_id)
    assert engagement.status is EngagementStatus.ENDED
    assert engagement.details_sealed is None
    assert "engagement_ended" in await emailed_templates(api.settings, "sigrun@example.com")

    customer = next(c for c in fake_stripe.customers.values() if c.get("deleted"))
    assert customer["deleted"] is True
    assert fake_stripe.payment_methods[card]["customer"] is None

    assert (await api.data(VIEWER, token=other))["viewer"]["name"] == "Björn Gunnarsson"
    assert await Account.exists(email="bjorn@example.is", name="Björn Gunnarsson")
    assert await Engagement.filter(client__email="bjorn@example.is",
                                   status=EngagementStatus.ACTIVE).exists()

    [entry] = await AuditEntry.filter(action="delete_my_account")
    assert entry.person_id == practice.client_id

    again = await register(api, CLIENT_EMAIL, name=CLIENT_NAME)
    viewer = (await api.data(VIEWER, token=again))["viewer"]
    assert viewer["email"] == CLIENT_EMAIL
    assert (await Account.get(email=CLIENT_EMAIL)).id != practice.client_id


async def test_when_stripe_does_not_answer_nothing_is_deleted_and_a_retry_works(
        stripe_api, fake_stripe):
    token = await register(stripe_api, "anna@example.com")
    card = await save_card(stripe_api, fake_stripe, token)
    fake_stripe.refuse_next_request(f"/v1/payment_methods/{card}/detach")

    refused = await delete(stripe_api, token)
    assert [e["code"] for e in refused["userErrors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert (await stripe_api.data(VIEWER, token=token))["viewer"]["email"] == "anna@example.com"

    assert await delete(stripe_api, token) == {"deleted": True, "userErrors": []}
    assert fake_stripe.payment_methods[card]["customer"] is None


async def test_a_wrong_password_or_code_deletes_nothing(api):
    token = await register(api, "anna@example.com")
    refused = await delete(api, token, password="not the password")
    assert refused["deleted"] is False
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert (await api.data(VIEWER, token=token))["viewer"]["email"] == "anna@example.com"
    assert not await AuditEntry.filter(action="delete_my_account").exists()


async def test_a_professional_deletion_ends_their_clients_engagements_and_keeps_notes(api):
    practice = await engaged_practice(api, client_email=CLIENT_EMAIL, client_name=CLIENT_NAME)
    upcoming = await _future(practice)
    waiting = await register(api, "bjorn@example.is", name="Björn Gunnarsson")
    assert (await request(api, waiting, practice.service))["engagement"]["status"] == "REQUESTED"
    profile_id = await client_profile_id(api, practice.professional, CLIENT_EMAIL)
    await written(api, practice.professional, profile_id)

    assert await delete(api, practice.professional) == {"deleted": True, "userErrors": []}

    assert (await Engagement.get(id=practice.engagement_id)).status is EngagementStatus.ENDED
    assert await Engagement.filter(client__email="bjorn@example.is",
                                   status=EngagementStatus.DECLINED).exists()
    assert (await Session.get(id=upcoming.id)).status is SessionStatus.CANCELLED
    assert not await Service.filter(professional__account_id=practice.professional_id,
                                    archived_at=None).exists()
    assert await Note.filter(author_id=practice.professional_id).count() == 1
    assert (await Account.get(id=practice.professional_id)).name.startswith("Former ")
    assert "engagement_ended" in await emailed_templates(api.settings, CLIENT_EMAIL)
    assert "request_declined" in await emailed_templates(api.settings, "bjorn@example.is")
    assert (await api.data(VIEWER, token=practice.client))["viewer"]["email"] == CLIENT_EMAIL
