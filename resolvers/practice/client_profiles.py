"""Who is a professional's client, and the client profile they see.

A person is a professional's client when they have an engagement with one of the
professional's services that was accepted at some point: it is active now, or it was active
and has ended (its `started_at` is set). A pending request, a declined one, or one the client
withdrew before an answer does not count: the professional sees those in `pendingRequests`,
but opens no profile and writes no notes about the person.

Anyone else asking about a person (another professional, the client themself, someone signed
out) gets exactly what an id that does not exist gets: nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from models.accounts import Account
from models.practice import Engagement
from resolvers.accounts.strong_authentication import require_strong_authentication
from resolvers.core import audit
from resolvers.core.caller import Caller


async def clients_of(professional: Account | None, ids: Iterable[UUID]) -> dict[UUID, Account]:
    """The accounts among `ids` that are or were clients of `professional`; others are absent."""
    wanted = list(ids)
    if professional is None or not professional.is_professional or not wanted:
        return {}
    client_ids = await Engagement.filter(
        client_id__in=wanted, service__professional__account_id=professional.id,
        started_at__isnull=False,
    ).distinct().values_list("client_id", flat=True)
    if not client_ids:
        return {}
    return {account.id: account for account in await Account.filter(id__in=list(client_ids))}


async def client_of(professional: Account, client_id: UUID | None) -> Account | None:
    """The client with this id, if they are or were the professional's client."""
    if client_id is None:
        return None
    return (await clients_of(professional, [client_id])).get(client_id)


async def client_profile(caller: Caller, client_id: UUID | None) -> Account | None:
    """The client a professional asks about, or None."""
    found = await visible_client_profiles(caller, [client_id] if client_id else [])
    return found.get(client_id) if client_id else None


async def visible_client_profiles(caller: Caller, ids: Iterable[UUID]) -> dict[UUID, Account]:
    """The caller's clients among `ids`; each profile shown is recorded in the audit log."""
    found = await clients_of(caller.account, ids)
    if found:
        require_strong_authentication(caller)
    for client in found.values():
        await audit.record(caller, "read_client_profile", subject_type="client",
                           subject_id=client.id, person_id=client.id)
    return found


async def engagements_with(professional: Account, client_id: UUID) -> list[Engagement]:
    """Every engagement of the client with the professional's services, newest first."""
    return await Engagement.filter(
        client_id=client_id, service__professional__account_id=professional.id
    ).order_by("-created_at").select_related("client", "service__professional__account")
