"""docs/operations/ holds the operations the SPA's screens send; a frontend copies them and
generates its types from them (tests/test_codegen.py). Each one is checked against the schema
and run against the demo data (seed.py), as the demo person whose screen it is, so the
documentation cannot drift from the API."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from graphql import OperationDefinitionNode, OperationType, parse, validate

import seed
from schema import build_schema
from tests.api_client import Api
from tests.fake_stripe import FakeStripe
from tests.live_steps import device_key, sealed_blob
from tests.payment_steps import save_card

OPERATIONS = Path(__file__).resolve().parent.parent / "docs" / "operations"
FILES = sorted(OPERATIONS.glob("*.graphql"))

THORUNN = "thorunn@demo.therapyhub.test"  # a client of Sigrún's with history and receipts
LUKASZ = "lukasz@demo.therapyhub.test"  # a client who books himself and has a call now
SIGRUN = "sigrun@demo.therapyhub.test"  # the psychologist, with notes and a pending request


def operations() -> dict[str, tuple[Path, OperationDefinitionNode]]:
    found: dict[str, tuple[Path, OperationDefinitionNode]] = {}
    for path in FILES:
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name, f"{path.name}: every operation needs a name"
                name = definition.name.value
                assert name not in found, f"{name} is in {found[name][0].name} and {path.name}"
                found[name] = (path, definition)
    return found


class Screens:
    """The documented operations sent as the SPA sends them: the whole file and the name of
    the operation to run."""

    def __init__(self, api: Api, fake_stripe: FakeStripe | None = None) -> None:
        self.api = api
        self.fake_stripe = fake_stripe
        self.documents = operations()

    async def run(self, name: str, variables: dict[str, Any] | None = None, *,
                  token: str | None = None) -> dict[str, Any]:
        """The operation's data; GraphQL errors, userErrors or a missing answer fail."""
        path, _ = self.documents[name]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.api.http.post("/graphql", headers=headers, json={
            "query": path.read_text(), "operationName": name, "variables": variables or {}})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        for field, value in body["data"].items():
            assert value is not None, f"{name}: {field} is null"
            if isinstance(value, dict) and "userErrors" in value:
                assert value["userErrors"] == [], f"{name}: {value['userErrors']}"
        return body["data"]

    async def sign_in(self, email: str) -> str:
        signed_in = (await self.run("SignIn", {"input": {
            "email": email, "password": seed.DEMO_PASSWORD}}))["login"]
        assert signed_in["token"], signed_in
        return signed_in["token"]

    async def thorunns_profile_id(self, sigrun: str) -> str:
        dashboard = await self.run("PractitionerDashboard", {"search": "thorunn"}, token=sigrun)
        [edge] = dashboard["practice"]["clients"]["edges"]
        return edge["node"]["id"]

    async def thorunns_session(self, sigrun: str, status: str) -> str:
        profile = await self.run("ClientProfileWithNotes",
                                 {"id": await self.thorunns_profile_id(sigrun)}, token=sigrun)
        return next(edge["node"]["id"] for edge in profile["clientProfile"]["sessions"]["edges"]
                    if edge["node"]["status"] == status)

    async def pending_request(self, sigrun: str) -> str:
        practice = (await self.run("ServicesAndRequests", token=sigrun))["practice"]
        [request] = practice["pendingRequests"]
        return request["id"]

    async def lukasz_joinable_session(self, lukasz: str) -> str:
        home = await self.run("ClientHome", token=lukasz)
        assert home["hub"]["nextSession"]["canJoin"] is True
        return home["hub"]["nextSession"]["id"]

    async def running_coaching(self, lukasz: str) -> dict[str, Any]:
        engagements = (await self.run("BookableEngagements", token=lukasz))["myEngagements"]
        return next(e for e in engagements if e["service"]["title"] == "Running coaching")


def slots_window() -> dict[str, str]:
    now = datetime.now(UTC)
    return {"from": (now + timedelta(days=1)).isoformat(),
            "to": (now + timedelta(days=15)).isoformat()}


async def sign_in_with_the_second_factor(screens: Screens) -> None:
    token = await screens.sign_in(THORUNN)
    started = await screens.api.data(
        "mutation($input: PasswordConfirmationInput!) { startTotpEnrolment(input: $input) "
        "{ secret } }", {"input": {"password": seed.DEMO_PASSWORD}}, token=token)
    secret = started["startTotpEnrolment"]["secret"]
    await screens.api.data(
        "mutation($input: ConfirmTotpEnrolmentInput!) { confirmTotpEnrolment(input: $input) "
        "{ recoveryCodes } }", {"input": {"code": pyotp.TOTP(secret).now()}}, token=token)
    first = (await screens.run("SignIn", {"input": {
        "email": THORUNN, "password": seed.DEMO_PASSWORD}}))["login"]
    assert first["secondFactorRequired"] is True
    assert first["token"] is None
    verified = (await screens.run("VerifySecondFactor", {"input": {
        "challenge": first["challenge"],
        "code": pyotp.TOTP(secret).at(time.time() + 30),  # enrolment used the current one
    }}))["verifySecondFactor"]
    assert verified["token"]
    assert verified["viewer"]["email"] == THORUNN


async def sign_in(screens: Screens) -> None:
    signed_in = (await screens.run("SignIn", {"input": {
        "email": THORUNN, "password": seed.DEMO_PASSWORD}}))["login"]
    assert signed_in["secondFactorRequired"] is False
    assert signed_in["viewer"]["roles"] == ["CLIENT"]
    assert signed_in["deviceToken"]


async def client_home(screens: Screens) -> None:
    hub = (await screens.run("ClientHome", token=await screens.sign_in(THORUNN)))["hub"]
    assert hub["nextSession"]["service"]["title"] == "Psychological counselling"
    assert len(hub["upcomingSessions"]) == 5
    assert {e["service"]["title"] for e in hub["engagements"]} == {
        "Psychological counselling", "Physiotherapy assessment and treatment"}
    assert hub["totals"]["sessionsAttended"] == 2
    assert hub["totals"]["paid"][0]["paid"] == {"amount": 36_000, "currency": "ISK"}


async def session_history(screens: Screens) -> None:
    token = await screens.sign_in(THORUNN)
    first = (await screens.run("SessionHistory", {"first": 2}, token=token))["hub"]
    page = first["pastSessions"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await screens.run("SessionHistory", {"after": page["pageInfo"]["endCursor"]},
                              token=token))["hub"]["pastSessions"]
    statuses = [edge["node"]["status"] for edge in page["edges"] + rest["edges"]]
    assert statuses == ["LATE_CANCELLED", "NO_SHOW", "COMPLETED", "COMPLETED"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def receipts(screens: Screens) -> None:
    data = await screens.run("Receipts", token=await screens.sign_in(THORUNN))
    rows = [edge["node"] for edge in data["myPayments"]["edges"]]
    assert [row["status"] for row in rows] == ["PAID", "PAID"]
    assert all(row["receiptUrl"] and row["receiptNumber"] for row in rows)
    assert data["myPaymentTotals"][0]["count"] == 2


async def join_session(screens: Screens) -> None:
    token = await screens.sign_in(LUKASZ)
    key = device_key()
    call = (await screens.run("JoinSession", {"input": {
        "sessionId": await screens.lukasz_joinable_session(token), "devicePublicKey": key,
    }}, token=token))["joinSession"]["call"]
    assert call["me"]["devicePublicKey"] == key
    assert call["peer"]["name"] == "Maya Chen"


async def send_signal(screens: Screens) -> None:
    token = await screens.sign_in(LUKASZ)
    session_id = await screens.lukasz_joinable_session(token)
    await screens.run("JoinSession", {"input": {
        "sessionId": session_id, "devicePublicKey": device_key()}}, token=token)
    sent = await screens.run("SendSignal", {"input": {
        "sessionId": session_id, "payload": sealed_blob()}}, token=token)
    assert sent["sendSignal"]["accepted"] is True


async def leave_session(screens: Screens) -> None:
    token = await screens.sign_in(LUKASZ)
    session_id = await screens.lukasz_joinable_session(token)
    await screens.run("JoinSession", {"input": {
        "sessionId": session_id, "devicePublicKey": device_key()}}, token=token)
    left = (await screens.run("LeaveSession", {"input": {"sessionId": session_id}},
                              token=token))["leaveSession"]
    assert left["call"]["me"]["present"] is False


async def practitioner_dashboard(screens: Screens) -> None:
    data = await screens.run("PractitionerDashboard", token=await screens.sign_in(SIGRUN))
    practice = data["practice"]
    assert practice["profile"]["practiceName"] == "Sálfræðistofa Sigrúnar"
    assert [r["client"]["name"] for r in practice["pendingRequests"]] == ["Łukasz Żółć"]
    assert {e["node"]["name"] for e in practice["clients"]["edges"]} == {
        "Þórunn Ólafsdóttir", "Maya Chen"}


async def client_profile_with_notes(screens: Screens) -> None:
    token = await screens.sign_in(SIGRUN)
    profile = (await screens.run("ClientProfileWithNotes", {
        "id": await screens.thorunns_profile_id(token)}, token=token))["clientProfile"]
    assert profile["email"] == THORUNN
    assert [edge["node"]["title"] for edge in profile["notes"]["edges"]] == [
        "", "Svefndagbók", "Fyrsti tími"]
    assert profile["sessions"]["edges"]
    assert len(profile["payments"]["edges"]) == 2
    assert profile["progress"]["attended"] == 2


async def write_note(screens: Screens) -> None:
    token = await screens.sign_in(SIGRUN)
    written = (await screens.run("WriteNote", {"input": {
        "clientId": await screens.thorunns_profile_id(token), "date": date.today().isoformat(),
        "title": "Endurmat", "body": "Markmið endurmetin; svefn 6–7 tímar.",
    }}, token=token))["writeNote"]
    assert written["note"]["body"] == "Markmið endurmetin; svefn 6–7 tímar."


async def services_and_requests(screens: Screens) -> None:
    practice = (await screens.run("ServicesAndRequests",
                                  token=await screens.sign_in(SIGRUN)))["practice"]
    [service] = practice["services"]
    assert service["requestUrl"]
    assert service["customQuestions"][0]["text"] == "What would you like help with?"
    [request] = practice["pendingRequests"]
    assert request["registrationDetails"]["phone"]
    assert practice["invitations"][0]["email"] == seed.INVITED[0]


async def create_service(screens: Screens) -> None:
    created = (await screens.run("CreateService", {"input": {
        "title": "Couples counselling", "kind": "PSYCHOLOGY", "sessionMinutes": 80,
        "price": {"amount": 26_000, "currency": "ISK"}, "requiredDetails": ["PHONE"],
        "customQuestions": [{"text": "What brings you both here?"}],
    }}, token=await screens.sign_in(SIGRUN)))["createService"]
    assert created["service"]["slug"].startswith("couples-counselling")


async def approve_request(screens: Screens) -> None:
    token = await screens.sign_in(SIGRUN)
    approved = (await screens.run("ApproveRequest", {"input": {
        "engagementId": await screens.pending_request(token)}}, token=token))["approveRequest"]
    assert approved["engagement"]["status"] == "ACTIVE"


async def decline_request(screens: Screens) -> None:
    token = await screens.sign_in(SIGRUN)
    declined = (await screens.run("DeclineRequest", {"input": {
        "engagementId": await screens.pending_request(token),
        "reason": "My list is full until spring; try Oliver Bennett's practice.",
    }}, token=token))["declineRequest"]
    assert declined["engagement"]["status"] == "DECLINED"


async def bookable_engagements(screens: Screens) -> None:
    engagement = await screens.running_coaching(await screens.sign_in(LUKASZ))
    assert engagement["service"]["selfBooking"] is True


async def bookable_slots(screens: Screens) -> None:
    token = await screens.sign_in(LUKASZ)
    service = (await screens.running_coaching(token))["service"]
    slots = (await screens.run("BookableSlots", {"serviceId": service["id"], **slots_window()},
                               token=token))["availableSlots"]
    assert slots


async def book_session(screens: Screens) -> None:
    token = await screens.sign_in(LUKASZ)
    engagement = await screens.running_coaching(token)
    [slot, *_] = (await screens.run("BookableSlots", {
        "serviceId": engagement["service"]["id"], **slots_window()},
        token=token))["availableSlots"]
    booked = (await screens.run("BookSession", {"input": {
        "engagementId": engagement["id"], "startsAt": slot["startsAt"]}},
        token=token))["bookSession"]
    assert booked["session"]["startsAt"] == slot["startsAt"]
    assert booked["session"]["status"] == "SCHEDULED"


async def session_payments(screens: Screens) -> None:
    token = await screens.sign_in(SIGRUN)
    data = await screens.run("SessionPayments", {
        "sessionId": await screens.thorunns_session(token, "COMPLETED")}, token=token)
    [payment] = data["payments"]
    assert payment["status"] == "PAID"
    assert payment["receiptUrl"]


async def charge_session(screens: Screens) -> None:
    assert screens.fake_stripe is not None, "the scenario asks for card payments"
    await save_card(screens.api, screens.fake_stripe, await screens.sign_in(THORUNN))
    token = await screens.sign_in(SIGRUN)
    charged = (await screens.run("ChargeSession", {"input": {
        "sessionId": await screens.thorunns_session(token, "NO_SHOW")}},
        token=token))["chargeSession"]
    assert charged["payment"]["status"] == "PAID"
    assert charged["payment"]["card"] == {"brand": "visa", "last4": "4242"}


async def record_manual_payment(screens: Screens) -> None:
    token = await screens.sign_in(SIGRUN)
    recorded = (await screens.run("RecordManualPayment", {"input": {
        "sessionId": await screens.thorunns_session(token, "LATE_CANCELLED"),
        "method": "BANK_TRANSFER"}}, token=token))["recordManualPayment"]
    assert recorded["payment"]["amount"] == {"amount": 18_000, "currency": "ISK"}
    assert recorded["payment"]["receiptUrl"]


async def refund_payment(screens: Screens) -> None:
    token = await screens.sign_in(SIGRUN)
    [paid] = (await screens.run("SessionPayments", {
        "sessionId": await screens.thorunns_session(token, "COMPLETED")},
        token=token))["payments"]
    refunded = (await screens.run("RefundPayment", {"input": {
        "paymentId": paid["id"], "amount": 3_000}}, token=token))["refundPayment"]
    assert refunded["payment"]["refunded"] == {"amount": 3_000, "currency": "ISK"}


@dataclass(frozen=True)
class Scenario:
    walk: Callable[[Screens], Awaitable[None]]
    cards: bool = False
    """Whether the server takes cards (the fake Stripe)."""


SCENARIOS = {
    "SignIn": Scenario(sign_in),
    "VerifySecondFactor": Scenario(sign_in_with_the_second_factor),
    "ClientHome": Scenario(client_home),
    "SessionHistory": Scenario(session_history),
    "Receipts": Scenario(receipts),
    "JoinSession": Scenario(join_session),
    "SendSignal": Scenario(send_signal),
    "LeaveSession": Scenario(leave_session),
    "PractitionerDashboard": Scenario(practitioner_dashboard),
    "ClientProfileWithNotes": Scenario(client_profile_with_notes),
    "WriteNote": Scenario(write_note),
    "ServicesAndRequests": Scenario(services_and_requests),
    "CreateService": Scenario(create_service),
    "ApproveRequest": Scenario(approve_request),
    "DeclineRequest": Scenario(decline_request),
    "BookableEngagements": Scenario(bookable_engagements),
    "BookableSlots": Scenario(bookable_slots),
    "BookSession": Scenario(book_session),
    "SessionPayments": Scenario(session_payments),
    "ChargeSession": Scenario(charge_session, cards=True),
    "RecordManualPayment": Scenario(record_manual_payment),
    "RefundPayment": Scenario(refund_payment),
}


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_the_file_validates_against_the_schema(settings, path):
    errors = validate(build_schema(settings)._schema, parse(path.read_text()))
    assert not errors, [error.message for error in errors]


def test_every_query_and_mutation_is_run_against_the_demo_data():
    documented = {name for name, (_, definition) in operations().items()
                  if definition.operation is not OperationType.SUBSCRIPTION}
    assert documented == set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(n for n, s in SCENARIOS.items() if not s.cards))
async def test_the_operation_runs_as_its_screen_sends_it(api, settings, name):
    await seed.seed(settings)
    await SCENARIOS[name].walk(Screens(api))


@pytest.mark.parametrize("name", sorted(n for n, s in SCENARIOS.items() if s.cards))
async def test_the_card_operation_runs_as_its_screen_sends_it(stripe_api, fake_stripe, settings,
                                                              name):
    await seed.seed(settings)
    await SCENARIOS[name].walk(Screens(stripe_api, fake_stripe))


def test_docs_api_lists_every_file():
    listed = (OPERATIONS.parent / "api.md").read_text()
    assert [p.name for p in FILES if f"(operations/{p.name})" not in listed] == []
