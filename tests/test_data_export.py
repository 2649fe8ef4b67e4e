"""exportMyData: a client's and a professional's export, read back from the ZIP their link
serves through the app's real route, and compared with the database."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
import pytest
from pypdf import PdfReader

from crypto import secrets_at_rest
from models.accounts import Account, ExternalIdentity
from models.audit import AuditEntry
from models.consent import Consent
from models.outbox import OutboxMessage
from models.payments import Payment
from models.practice import Engagement
from models.privacy import DataExport, DataExportStatus
from models.scheduling import Session, SessionStatus
from resolvers.accounts import external_identities
from resolvers.core import outbox
from resolvers.privacy.exports_building import build_pending
from tests.helpers import PASSWORD
from tests.mailbox import text_of
from tests.note_steps import client_profile_id, written
from tests.notes_support import raw_rows, register_professional
from tests.payment_steps import record_manual
from tests.practice_steps import APPROVE, client, create_service, request
from tests.test_second_factor import enrol, next_code

EXPORT = """
mutation($input: ExportMyDataInput!) {
  exportMyData(input: $input) {
    dataExport { id status requestedAt readyAt expiresAt sizeBytes failure }
    userErrors { field message code }
  }
}"""
EXPORTS = """{ dataExports(first: 10) { edges { node {
  id status readyAt expiresAt downloadedAt sizeBytes failure } } } }"""
ACCESS_LOG = "{ viewer { accessLog(first: 50) { edges { node { kind about { isYou } "\
             "accessedBy { isYou } } } } } }"
UPDATE_PROFILE = """
mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { userErrors { code } } }"""
CREATE_FEED = "mutation { createCalendarFeed { url userErrors { code } } }"
LINK = re.compile(r"/exports/([A-Za-z0-9_-]{43})\.zip")

ANNA = "anna@example.com"
OTHER = "gunnar@example.com"
SIGRUN = "sigrun@example.com"
BJORN = "bjorn@example.com"
NOTE_BODY = "Anna talaði um svefninn og kvíðann í vinnunni."


async def engage(api: Any, professional_token: str, client_token: str) -> dict[str, Any]:
    service = await create_service(api, professional_token)
    engagement = (await request(api, client_token, service))["engagement"]
    approved = (await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}},
                               token=professional_token))["approveRequest"]
    assert approved["userErrors"] == []
    return service


async def completed_session(professional_email: str, client_email: str, *, day: int,
                            hour: int = 10) -> Session:
    engagement = await Engagement.get(client__email=client_email,
                                      service__professional__account__email=professional_email)
    professional = await Account.get(email=professional_email)
    starts = datetime(2026, 10, 1, hour, tzinfo=UTC) + timedelta(days=day)
    return await Session.create(
        engagement=engagement, professional=professional, client_id=engagement.client_id,
        starts_at=starts, ends_at=starts + timedelta(minutes=50), length_minutes=50,
        price_amount=18_000, currency="ISK", booked_by=professional,
        status=SessionStatus.COMPLETED)


async def paid_session(api: Any, token: str, professional_email: str, client_email: str, *,
                       day: int, hour: int = 10) -> Session:
    session = await completed_session(professional_email, client_email, day=day, hour=hour)
    paid = await record_manual(api, token, session)
    assert paid["userErrors"] == [], paid
    return session


@pytest.fixture
async def two_practices(api: Any) -> dict[str, str]:
    """Anna is a client of Sigrún and of Björn, with paid sessions at both; Gunnar is another
    client of Sigrún's. Sigrún keeps a note about Anna."""
    sigrun, _ = await register_professional(api, SIGRUN)
    bjorn = (await register_professional(api, BJORN))[0]
    anna = await client(api, ANNA)
    gunnar = await client(api, OTHER, name="Gunnar Þórsson")
    await engage(api, sigrun, anna)
    await engage(api, bjorn, anna)
    await engage(api, sigrun, gunnar)
    for day in (0, 7):
        await paid_session(api, sigrun, SIGRUN, ANNA, day=day)
        await paid_session(api, sigrun, SIGRUN, OTHER, day=day, hour=14)
    await paid_session(api, bjorn, BJORN, ANNA, day=3)
    await completed_session(BJORN, ANNA, day=10)
    await written(api, sigrun, await client_profile_id(api, sigrun, ANNA), body=NOTE_BODY)
    await written(api, sigrun, await client_profile_id(api, sigrun, OTHER),
                  body="Gunnar: vinnan.")
    feed = (await api.data(CREATE_FEED, token=anna))["createCalendarFeed"]
    assert feed["userErrors"] == []
    return {"sigrun": sigrun, "bjorn": bjorn, "anna": anna, "gunnar": gunnar}


async def ask(api: Any, token: str, **identity: Any) -> dict[str, Any]:
    return (await api.data(EXPORT, {"input": {"identity": {"password": PASSWORD, **identity}}},
                           token=token))["exportMyData"]


async def exported(api: Any, token: str, email: str) -> zipfile.ZipFile:
    """Ask, let the builder run once, and download the ZIP from the emailed link."""
    asked = await ask(api, token)
    assert asked["userErrors"] == []
    assert asked["dataExport"]["status"] == "PENDING"
    assert await build_pending(api.settings) == 1
    response = await api.http.get(f"/exports/{await link_token(api, email)}.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "private, no-store"
    return zipfile.ZipFile(io.BytesIO(response.content))


async def link_token(api: Any, email: str) -> str:
    """The token in the newest data_export_ready email's link (a path, not a fragment)."""
    for message in await OutboxMessage.filter(template="data_export_ready").order_by(
            "-created_at"):
        content = orjson.loads(secrets_at_rest.decrypt(api.settings.secret_key, message.content,
                                                       purpose=outbox.CONTENT_PURPOSE))
        if content["to"] == email and (found := LINK.search(content["text"])):
            assert found.group(0) in content["html"]
            return found.group(1)
    raise AssertionError(f"no data_export_ready email to {email}")


def read_json(archive: zipfile.ZipFile, path: str) -> Any:
    return orjson.loads(archive.read(path))


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def test_a_clients_export_holds_all_of_theirs_across_professionals_and_nothing_else(
        api, two_practices):
    anna = await Account.get(email=ANNA)
    await ExternalIdentity.create(
        account=anna, provider="island",
        national_id_hash=external_identities.national_id_hash(api.settings, "island",
                                                              "0101902149"),
        national_id_encrypted=external_identities.encrypt_national_id(api.settings,
                                                                      "0101902149"))
    archive = await exported(api, two_practices["anna"], ANNA)

    account = read_json(archive, "account.json")
    assert (account["email"], account["name"], account["roles"]) == (ANNA, anna.name,
                                                                     ["client"])
    assert "password_hash" not in account
    assert account["sign_ins"]
    accepted = await Consent.filter(account_id=anna.id).values_list("document", "version")
    assert {(c["document"], c["version"]) for c in account["consents"]} == set(accepted)
    assert len(accepted) == 2, "the terms and the privacy notice, accepted at registration"
    assert [(i["provider"], i["national_id"]) for i in account["external_identities"]] == [
        ("island", "0101902149")]

    sessions = read_json(archive, "sessions.json")
    expected = await Session.filter(client_id=anna.id).values_list("id", flat=True)
    assert {UUID(s["id"]) for s in sessions} == set(expected)
    assert len(expected) == 4
    assert len(set(await Session.filter(client_id=anna.id).values_list(
        "professional_id", flat=True))) == 2
    assert {UUID(s["engagement_id"]) for s in sessions} == set(
        await Engagement.filter(client_id=anna.id).values_list("id", flat=True))

    payments = read_json(archive, "payments.json")
    expected_payments = await Payment.filter(client_id=anna.id)
    assert {UUID(p["id"]) for p in payments} == {p.id for p in expected_payments}
    assert len(payments) == 3
    for payment in payments:
        text = pdf_text(archive.read(payment["receipt_file"]))
        assert anna.name in text
        assert str(payment["receipt_number"]) in text

    engagements = read_json(archive, "engagements.json")
    assert len(engagements) == 2
    assert all(e["registration_answers"]["phone"] == "+354 555 1234" for e in engagements)

    feeds = read_json(archive, "calendar/feeds.json")
    assert len(feeds) == 1
    ics = archive.read(feeds[0]["serves"]).decode()
    assert ics.startswith("BEGIN:VCALENDAR")
    assert ics.count("BEGIN:VEVENT") == 4

    log = read_json(archive, "access_log.json")["reads_of_your_data"]
    assert [(e["kind"], e["by_you"], e["about_you"]) for e in log] == [
        ("export_my_data", True, True)]
    assert not any(name.startswith("practice/") for name in archive.namelist())

    everything = " ".join(
        pdf_text(archive.read(name)) if name.endswith(".pdf") else archive.read(name).decode()
        for name in archive.namelist())
    assert "Gunnar" not in everything
    assert OTHER not in everything
    assert "vinnan" not in everything
    assert NOTE_BODY not in everything


async def test_a_professionals_export_holds_their_practice_and_notes_opened(api, two_practices):
    sigrun = await Account.get(email=SIGRUN)
    anna = await Account.get(email=ANNA)
    archive = await exported(api, two_practices["sigrun"], SIGRUN)

    notes = read_json(archive, "practice/notes.json")
    assert {n["body"] for n in notes} == {NOTE_BODY, "Gunnar: vinnan."}
    assert {n["state"] for n in notes} == {"open"}
    sessions = read_json(archive, "sessions.json")
    assert {UUID(s["id"]) for s in sessions} == set(
        await Session.filter(professional_id=sigrun.id).values_list("id", flat=True))
    assert {s["as"] for s in sessions} == {"professional"}
    assert len(read_json(archive, "payments.json")) == 4
    services = read_json(archive, "practice/services.json")
    assert len(services) == 2  # one for each of her clients' requests
    assert {c["client_email"] for c in read_json(archive, "practice/clients.json")} == {
        ANNA, OTHER}
    assert "weekly_hours" in read_json(archive, "practice/availability.json")

    # The notes key waited on the row only until the builder claimed it.
    export = await DataExport.get(account_id=sigrun.id)
    assert (export.pending_note_key, export.pending_note_key_version) == (None, None)
    assert not any(NOTE_BODY.encode() in value for _, _, value in await raw_rows()
                   if isinstance(value, bytes))

    # Both the export and the notes it opened are in the audit log, and in Anna's access log.
    assert await AuditEntry.exists(action="export_my_data", actor_id=sigrun.id,
                                   person_id=sigrun.id)
    assert await AuditEntry.exists(action="read_notes", actor_id=sigrun.id, person_id=anna.id)
    log = (await api.data(ACCESS_LOG, token=two_practices["anna"]))["viewer"]["accessLog"]
    assert {"kind": "NOTES", "about": {"isYou": True}, "accessedBy": {"isYou": False}} in [
        edge["node"] for edge in log["edges"]]


async def test_the_client_sees_their_export_in_the_access_log_and_the_list(api, two_practices):
    await exported(api, two_practices["anna"], ANNA)
    anna = await Account.get(email=ANNA)
    assert await AuditEntry.filter(action="export_my_data", person_id=anna.id).count() == 1
    log = (await api.data(ACCESS_LOG, token=two_practices["anna"]))["viewer"]["accessLog"]
    assert {"kind": "EXPORT", "about": {"isYou": True}, "accessedBy": {"isYou": True}} in [
        edge["node"] for edge in log["edges"]]
    [listed] = [e["node"] for e in (await api.data(EXPORTS, token=two_practices["anna"])
                                    )["dataExports"]["edges"]]
    assert listed["status"] == "READY"
    assert listed["sizeBytes"] > 0
    assert listed["downloadedAt"] is not None
    other = (await api.data(EXPORTS, token=two_practices["gunnar"]))["dataExports"]["edges"]
    assert other == []


async def test_a_wrong_password_or_a_missing_code_is_refused(api):
    anna = await client(api, ANNA)
    wrong = await ask(api, anna, password="not the password")
    assert wrong["dataExport"] is None
    assert [e["code"] for e in wrong["userErrors"]] == ["INVALID_CREDENTIALS"]

    secret, _ = await enrol(api, anna)
    missing = await ask(api, anna)
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [("INVALID_CODE", "code")]
    bad = await ask(api, anna, code="000000")
    assert [e["code"] for e in bad["userErrors"]] == ["INVALID_CODE"]
    assert not await DataExport.exists()
    assert not await AuditEntry.exists(action="export_my_data")

    good = await ask(api, anna, code=next_code(secret))
    assert good["userErrors"] == []
    assert good["dataExport"]["status"] == "PENDING"


async def test_one_export_at_a_time(api):
    anna = await client(api, ANNA)
    assert (await ask(api, anna))["userErrors"] == []
    again = await ask(api, anna)
    assert [e["code"] for e in again["userErrors"]] == ["CONFLICT"]


async def test_signed_out_is_refused(api):
    result = await api(EXPORT, {"input": {"identity": {"password": PASSWORD}}})
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_link_expires_and_the_file_is_deleted(api):
    anna_token = await client(api, ANNA)
    assert (await ask(api, anna_token))["userErrors"] == []
    await build_pending(api.settings)
    token = await link_token(api, ANNA)
    assert (await api.http.get(f"/exports/{token}.zip")).status_code == 200

    later = datetime.now(UTC) + timedelta(hours=api.settings.data_export_link_hours, minutes=1)
    await build_pending(api.settings, now=later)
    export = await DataExport.get()
    assert (export.status, export.blob) == (DataExportStatus.EXPIRED, None)
    gone = await api.http.get(f"/exports/{token}.zip")
    assert gone.status_code == 404
    assert "Ask for a new export" in gone.text
    assert (await api.http.get(f"/exports/{'A' * 43}.zip")).status_code == 404


async def test_a_link_past_its_time_fails_even_before_the_cleanup(api):
    anna_token = await client(api, ANNA)
    await ask(api, anna_token)
    await build_pending(api.settings)
    token = await link_token(api, ANNA)
    await DataExport.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await api.http.get(f"/exports/{token}.zip")).status_code == 404


async def test_the_stored_archive_is_useless_without_the_link(api):
    anna_token = await client(api, ANNA)
    await ask(api, anna_token)
    await build_pending(api.settings)
    token = await link_token(api, ANNA)
    export = await DataExport.get()
    assert export.blob is not None
    assert b"account.json" not in export.blob
    assert export.token_hash is not None
    assert token not in export.token_hash
    assert not any(isinstance(v, str) and token in v for _, _, v in await raw_rows())


async def test_a_build_that_died_is_given_up_and_another_can_be_asked(api):
    anna_token = await client(api, ANNA)
    await ask(api, anna_token)
    await DataExport.all().update(status=DataExportStatus.BUILDING,
                                  claimed_until=datetime.now(UTC) - timedelta(seconds=1))
    assert await build_pending(api.settings) == 0
    [listed] = [e["node"] for e in (await api.data(EXPORTS, token=anna_token)
                                    )["dataExports"]["edges"]]
    assert listed["status"] == "FAILED"
    assert "Ask for a new one" in listed["failure"]
    assert (await ask(api, anna_token))["userErrors"] == []


async def test_the_email_is_in_the_persons_language_and_links_to_the_route(api, mailbox):
    anna = await client(api, ANNA)
    await api.data(UPDATE_PROFILE, {"input": {"locale": "is"}}, token=anna)
    assert (await ask(api, anna))["userErrors"] == []
    await build_pending(api.settings)
    await mailbox.deliver()
    message = mailbox.last(ANNA)
    assert message["Subject"] == "Gögnin þín eru tilbúin"
    found = LINK.search(text_of(message))
    assert found
    assert f"{api.settings.public_url}/exports/" in text_of(message)
    assert (await api.http.get(found.group(0))).status_code == 200
