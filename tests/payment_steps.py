"""Steps the payment tests take: a practice with an engaged client, sessions, payments, and
receipts read back from their signed links."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from pypdf import PdfReader
from strawberry import relay

from models.accounts import Account
from models.practice import Engagement
from models.scheduling import Session, SessionStatus
from tests.fake_stripe import FakeStripe, event_payload, sign_webhook
from tests.helpers import register
from tests.practice_steps import APPROVE, create_service, professional, request

USER_ERRORS = "userErrors { field message code }"

PAYMENT_FIELDS = """
  id amount { amount currency } refunded { amount currency } vatRateBasisPoints status method
  card { brand last4 } receiptNumber receiptUrl failureCode failureMessage clientSecret
  createdAt paidAt refunds { amount { amount currency } } session { id }
"""

RECORD_MANUAL = f"""
mutation($input: RecordManualPaymentInput!) {{
  recordManualPayment(input: $input) {{ payment {{ {PAYMENT_FIELDS} }} {USER_ERRORS} }}
}}"""

CHARGE = f"""
mutation($input: ChargeSessionInput!) {{
  chargeSession(input: $input) {{ payment {{ {PAYMENT_FIELDS} }} {USER_ERRORS} }}
}}"""

REFUND = f"""
mutation($input: RefundPaymentInput!) {{
  refundPayment(input: $input) {{ payment {{ {PAYMENT_FIELDS} }} {USER_ERRORS} }}
}}"""

CANCEL_PAYMENT = f"""
mutation($input: CancelPaymentInput!) {{
  cancelPayment(input: $input) {{ payment {{ {PAYMENT_FIELDS} }} {USER_ERRORS} }}
}}"""

START_CARD_SETUP = f"mutation {{ startCardSetup {{ clientSecret {USER_ERRORS} }} }}"
REMOVE_CARD = f"mutation {{ removeCard {{ removed {USER_ERRORS} }} }}"
MY_CARD = "{ myCard { brand last4 expMonth expYear } cardPaymentsEnabled }"
PAYMENTS = f"query($id: ID!) {{ payments(sessionId: $id) {{ {PAYMENT_FIELDS} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Payment {{ {PAYMENT_FIELDS} }} }} }}"

UPDATE_PROFILE = f"""
mutation($input: UpdateProfessionalProfileInput!) {{
  updateProfessionalProfile(input: $input) {{ profile {{ practiceName }} {USER_ERRORS} }}
}}"""


@dataclass
class Practice:
    professional: str
    client: str
    service: dict[str, Any]
    engagement_id: UUID
    professional_id: UUID
    client_id: UUID


async def register_client(api: Any, email: str, name: str, *, locale: str = "is") -> str:
    return await register(api, email, name=name, locale=locale)


async def engaged_practice(api: Any, *, client_email: str = "thorunn@example.is",
                           client_name: str = "Þórunn Ólafsdóttir", locale: str = "is",
                           **service: Any) -> Practice:
    """A professional with a receipt-ready profile, a service, and one active client."""
    sigrun = await professional(api)
    profile = (await api.data(UPDATE_PROFILE, {"input": {
        "practiceName": "Sálfræðistofa Sigrúnar", "registrationNumber": "550199-1239",
        "vatNumber": "IS 123456", "contactEmail": "stofa@example.is",
    }}, token=sigrun))["updateProfessionalProfile"]
    assert profile["userErrors"] == []
    created = await create_service(api, sigrun, **service)
    client = await register_client(api, client_email, client_name, locale=locale)
    engagement = (await request(api, client, created))["engagement"]
    approved = (await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}},
                               token=sigrun))["approveRequest"]
    assert approved["userErrors"] == []
    engagement_id = UUID(relay.GlobalID.from_id(engagement["id"]).node_id)
    return Practice(
        professional=sigrun, client=client, service=created, engagement_id=engagement_id,
        professional_id=(await Account.get(email="sigrun@example.com")).id,
        client_id=(await Account.get(email=client_email)).id,
    )


async def book(practice: Practice, *, day: int = 0,
               status: SessionStatus = SessionStatus.COMPLETED) -> Session:
    """A session through the models (booking mutations live on another branch)."""
    engagement = await Engagement.get(id=practice.engagement_id).select_related("service")
    service = engagement.service
    starts = datetime(2026, 3, 2, 10, 0, tzinfo=UTC) + timedelta(days=day)
    return await Session.create(
        engagement=engagement, professional_id=practice.professional_id,
        client_id=practice.client_id, starts_at=starts,
        ends_at=starts + timedelta(minutes=service.session_minutes),
        length_minutes=service.session_minutes, price_amount=service.price_amount,
        currency=service.currency, vat_rate_basis_points=service.vat_rate_basis_points,
        booked_by_id=practice.professional_id, status=status,
    )


def session_id(session: Session) -> str:
    return relay.to_base64("Session", str(session.id))


async def record_manual(api: Any, token: str, session: Session, method: str = "CASH",
                        **changes: Any) -> dict[str, Any]:
    return (await api.data(RECORD_MANUAL, {"input": {
        "sessionId": session_id(session), "method": method, **changes,
    }}, token=token))["recordManualPayment"]


async def charge(api: Any, practice: Practice, session: Session) -> dict[str, Any]:
    return (await api.data(CHARGE, {"input": {"sessionId": session_id(session)}},
                           token=practice.professional))["chargeSession"]


async def cancel(api: Any, token: str, payment_id: str) -> dict[str, Any]:
    return (await api.data(CANCEL_PAYMENT, {"input": {"paymentId": payment_id}},
                           token=token))["cancelPayment"]


async def download(api: Any, url: str) -> Any:
    """GET a receipt link the way a browser tab opens it: no bearer token."""
    parts = urlsplit(url)
    return await api.http.get(f"{parts.path}?{parts.query}")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def post_event(api: Any, event_type: str, data_object: dict[str, Any], *,
                     event_id: str | None = None, created: int | None = None,
                     secret: str = FakeStripe.WEBHOOK_SECRET) -> Any:
    """Deliver a webhook the way Stripe does: the raw JSON body and its signature header."""
    payload = event_payload(event_type, data_object, event_id=event_id, created=created)
    return await api.http.post("/webhooks/stripe", content=payload, headers={
        "Stripe-Signature": sign_webhook(payload, secret), "Content-Type": "application/json",
    })


async def save_card(api: Any, fake: FakeStripe, token: str, **card: Any) -> str:
    """What the SPA and Stripe do together: startCardSetup, the client enters a card in
    Stripe Elements, Stripe confirms by webhook. Returns the card's payment method id."""
    setup = (await api.data(START_CARD_SETUP, token=token))["startCardSetup"]
    assert setup["userErrors"] == []
    setup_intent_id = setup["clientSecret"].split("_secret_")[0]
    method = fake.add_card(**card)
    intent = fake.complete_setup_intent(setup_intent_id, method)
    response = await post_event(api, "setup_intent.succeeded", intent)
    assert response.status_code == 200, response.text
    return method
