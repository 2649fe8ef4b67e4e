"""Emails about card payments, written through the outbox in the transaction of the change.

What leaves us names the professional and the session's time only: no service title (it can
say what the client is treated for), no amount, nothing from notes.
"""

from __future__ import annotations

from models.accounts import Account
from models.payments import Payment
from models.practice import ProfessionalProfile
from models.scheduling import Session
from resolvers.core import outbox
from resolvers.scheduling.session_mail import when
from settings import Settings


async def mail_confirmation_needed(settings: Settings, payment: Payment) -> None:
    """Ask the client to open their hub and confirm a payment their bank wants them to
    authenticate (REQUIRES_ACTION). The caller sends it once per payment: when its conditional
    update moved the payment from PROCESSING."""
    client = await Account.get(id=payment.client_id)
    profile = await ProfessionalProfile.get(account_id=payment.professional_id)
    session = await Session.get(id=payment.session_id)
    await outbox.enqueue(
        settings, to=client.email, template="payment_needs_confirmation", locale=client.locale,
        values={"name": client.name, "professional": profile.display_name,
                "when": when(session.starts_at, client), "link": f"{settings.public_url}/hub"},
        reply_to=profile.contact_email,
    )
