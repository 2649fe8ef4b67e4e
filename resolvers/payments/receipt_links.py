"""Receipts: the signed, short-lived link a browser tab can open, and the PDF behind it.

The link names the payment, the account it was given to and an expiry, signed
(resolvers/core/signed_links.py): a browser tab sends no bearer token, so the signature is the
authority, and the account must still be the payment's client or professional when the link is
opened. Every refusal looks the same from outside:
a tampered or expired link is 403, a payment that is not (any more) theirs is 404.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from models.accounts import Account
from models.payments import Payment, PaymentMethodKind, PaymentRefund
from models.practice import ProfessionalProfile
from models.scheduling import Session
from receipts import (
    MANUAL_METHODS,
    CardPayment,
    ManualMethod,
    ManualPayment,
    ReceiptData,
    Refund,
    render_receipt,
)
from resolvers.core import signed_links
from resolvers.core.validation import as_uuid
from settings import Settings

PURPOSE = "receipt"
_MANUAL: dict[str, ManualMethod] = {method: method for method in MANUAL_METHODS}
"""Every payment method but a card, as the receipt names it."""


@dataclass(frozen=True)
class Refused:
    status: int  # 403 or 404


@dataclass(frozen=True)
class Receipt:
    pdf: bytes
    filename: str
    """What a browser saves it as: `receipt-<number>.pdf`, so a folder of receipts sorts and
    reads by number rather than piling up as receipt (1).pdf, receipt (2).pdf."""


def receipt_url(settings: Settings, payment: Payment, account: Account | None, *,
                now: datetime | None = None) -> str | None:
    """A link to the payment's receipt for this viewer: only its client and professional get
    one, and only once the payment has a receipt number."""
    if account is None or payment.receipt_number is None:
        return None
    if account.id not in (payment.client_id, payment.professional_id):
        return None
    expires = signed_links.expiry(settings.receipt_link_minutes, now=now)
    signature = signed_links.signature(settings, PURPOSE, str(payment.id), str(account.id),
                                       expires)
    return (f"{settings.public_url}/receipts/{payment.id}.pdf"
            f"?for={account.id}&expires={expires}&signature={signature}")


async def open_receipt(settings: Settings, payment_id: str, *, for_account: str,
                       expires: str, signature: str) -> Receipt | Refused:
    """The receipt PDF behind a signed link, or why not."""
    if not signed_links.genuine(settings, PURPOSE, payment_id, for_account, expires,
                                given=signature) or signed_links.expired(expires):
        return Refused(403)
    payment_uuid, account_uuid = as_uuid(payment_id), as_uuid(for_account)
    payment = await Payment.get_or_none(id=payment_uuid) if payment_uuid else None
    if payment is None or payment.receipt_number is None or account_uuid not in (
            payment.client_id, payment.professional_id):
        return Refused(404)
    data = await receipt_data(payment)
    return Receipt(pdf=await asyncio.to_thread(render_receipt, data),
                   filename=f"receipt-{payment.receipt_number}.pdf")


async def receipt_data(payment: Payment) -> ReceiptData:
    """What the receipt says, gathered from the payment, its session, the professional's
    profile and the client (whose language and time zone it is written in)."""
    assert payment.receipt_number is not None
    assert payment.paid_at is not None
    session = await Session.get(id=payment.session_id).select_related("engagement__service")
    client = await Account.get(id=payment.client_id)
    professional = await Account.get(id=payment.professional_id)
    profile = await ProfessionalProfile.get_or_none(account_id=payment.professional_id)
    refunds = await PaymentRefund.filter(payment_id=payment.id).order_by("created_at")
    zone = ZoneInfo(client.time_zone)
    registration = " / ".join(
        value for value in (profile.registration_number, profile.vat_number) if value
    ) if profile else ""
    contact = tuple(value for value in (profile.contact_email, profile.contact_phone)
                    if value) if profile else ()
    method = (CardPayment(brand=payment.card_brand, last4=payment.card_last4)
              if payment.method is PaymentMethodKind.CARD
              else ManualPayment(method=_MANUAL[payment.method.value]))
    return ReceiptData(
        practice_name=(profile and (profile.practice_name or profile.display_name))
        or professional.name,
        registration_number=registration or None,
        contact_lines=contact,
        client_name=client.name,
        service_title=session.engagement.service.title,
        session_start=session.starts_at,
        time_zone=client.time_zone,
        amount_minor=payment.amount,
        currency=payment.currency,
        vat_rate_bp=payment.vat_rate_basis_points,
        payment=method,
        refunds=tuple(Refund(amount_minor=r.amount, refunded_on=r.created_at.astimezone(zone)
                             .date()) for r in refunds),
        receipt_number=str(payment.receipt_number),
        issued_on=payment.paid_at.astimezone(zone).date(),
        locale=client.locale,
    )

