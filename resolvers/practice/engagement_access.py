"""Who may see an engagement: its client and the professional of its service, nobody else.

Apart from the engagement use cases so that booking and session changes can check access
without importing them (ending an engagement cancels its sessions, so those import these).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from tortoise.expressions import Q

from models.accounts import Account
from models.practice import Engagement

NOT_FOUND_MESSAGE = "That engagement does not exist, or it is not yours."
RELATED = ("client", "service__professional__account")


async def visible_engagements(account: Account | None, ids: Iterable[UUID]
                              ) -> dict[UUID, Engagement]:
    """The engagements among `ids` this account is a party to; a stranger's id answers exactly
    like one that does not exist."""
    if account is None:
        return {}
    found = await Engagement.filter(
        Q(client_id=account.id) | Q(service__professional__account_id=account.id),
        id__in=list(ids),
    ).select_related(*RELATED)
    return {engagement.id: engagement for engagement in found}
