"""A service's rule that its client has a card on file before asking for it or booking.

Part of the practice, not of payments: it is a rule the professional sets on a service, and
both the engagement request and booking check it before they write anything.
"""

from __future__ import annotations

from uuid import UUID

from models.payments import SavedCard
from models.practice import Service
from resolvers.core.errors import ErrorCode, fail
from settings import Settings


async def require_card(settings: Settings, client_id: UUID, service: Service, *,
                       asked_by_client: bool = True) -> None:
    """Refuse (CARD_REQUIRED) when the service requires a card on file and the client has none.

    requestService, bookSession and bookSeries call it before they write anything. With card
    payments off on this server the rule cannot be met, so it is not enforced: the
    professional records payments manually instead. The message speaks to whoever asked.
    """
    if not service.card_required or not settings.card_payments_enabled:
        return
    if await SavedCard.exists(account_id=client_id, payment_method_id__isnull=False):
        return
    if asked_by_client:
        raise fail("This service needs a card on file before booking: add one under Payments "
                   "in your hub, then book again.", ErrorCode.CARD_REQUIRED)
    raise fail("Your client has no card on file, which this service requires. Ask them to add "
               "one under Payments in their hub, then book again.", ErrorCode.CARD_REQUIRED)
