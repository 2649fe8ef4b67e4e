"""Limits on the mutations that send email on someone's request: requestService (open to any
account, even one made a minute ago), inviteClient and resendInvitation.

Without them any account could make us mail strangers in bulk, and our sending reputation and
the recipients' inboxes would pay. Each sent email is counted per account and per client
address (resolvers/core/rate_limits.py, in the database); refused calls count nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from resolvers.core import rate_limits
from resolvers.core.caller import Caller
from settings import Settings


@dataclass(frozen=True)
class EmailingAction:
    name: str
    what: str
    """Completes "You have … too often"."""
    per_account: Callable[[Settings], int]
    per_address: Callable[[Settings], int]


REQUEST_SERVICE = EmailingAction(
    "request-service", "asked for services",
    per_account=lambda settings: settings.request_service_max_per_account,
    per_address=lambda settings: settings.request_service_max_per_address,
)
INVITATION = EmailingAction(
    "invitation", "sent invitations",
    per_account=lambda settings: settings.invitation_max_per_account,
    per_address=lambda settings: settings.invitation_max_per_address,
)


def _limits(caller: Caller, action: EmailingAction) -> list[rate_limits.Limit]:
    settings = caller.settings
    window = timedelta(minutes=settings.emailing_window_minutes)
    account = caller.require_account()
    limits = [rate_limits.limit(settings, f"{action.name}-account", str(account.id),
                                max_events=action.per_account(settings), window=window)]
    if caller.address:
        limits.append(rate_limits.limit(settings, f"{action.name}-address", caller.address,
                                        max_events=action.per_address(settings),
                                        window=window))
    return limits


async def refuse_if_reached(caller: Caller, action: EmailingAction) -> None:
    await rate_limits.refuse_if_reached(_limits(caller, action), action.what)


async def record(caller: Caller, action: EmailingAction) -> None:
    """Count one sent email; call it inside the transaction that enqueues the email."""
    await rate_limits.record(_limits(caller, action))
