"""Who is in a session's call: each participant's state, and telling the others when it changes.

Presence travels two ways: to the peer's `signals` stream on `live:<session id>` (carrying
the device key that joined or left, so a late "left" of a replaced device is recognisable),
and to both participants' hubs on `account:<id>` as participant_joined / participant_left, so
a waiting room shows who is there. Published inside the change's transaction: on PostgreSQL
the event is delivered only if it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from models.accounts import Account
from models.live import CallParticipant, ParticipantRole
from models.practice import ProfessionalProfile
from models.scheduling import Session
from resolvers.caller import Caller


@dataclass(frozen=True)
class ParticipantState:
    role: ParticipantRole
    account_id: UUID
    name: str
    present: bool = False
    device_public_key: str | None = None
    first_joined_at: datetime | None = None
    joined_at: datetime | None = None
    left_at: datetime | None = None

    @classmethod
    def of(cls, role: ParticipantRole, account_id: UUID, name: str,
           row: CallParticipant | None) -> ParticipantState:
        if row is None:
            return cls(role=role, account_id=account_id, name=name)
        return cls(role=role, account_id=account_id, name=name, present=row.left_at is None,
                   device_public_key=row.device_public_key,
                   first_joined_at=row.first_joined_at, joined_at=row.joined_at,
                   left_at=row.left_at)


def topic(session_id: UUID) -> str:
    return f"live:{session_id}"


async def names(session: Session) -> dict[UUID, str]:
    """The names each side knows the other by: the client's name, the professional's
    display name."""
    client = await Account.get(id=session.client_id)
    profile = await ProfessionalProfile.get_or_none(account_id=session.professional_id)
    professional = profile.display_name if profile else (
        await Account.get(id=session.professional_id)).name
    return {session.client_id: client.name, session.professional_id: professional}


async def participants(session: Session) -> dict[UUID, ParticipantState]:
    """Both participants' states by account id, whether or not they joined."""
    rows = {row.account_id: row
            for row in await CallParticipant.filter(session_id=session.id)}
    known = await names(session)
    return {
        account_id: ParticipantState.of(role, account_id, known[account_id], rows.get(account_id))
        for role, account_id in ((ParticipantRole.CLIENT, session.client_id),
                                 (ParticipantRole.PROFESSIONAL, session.professional_id))
    }


async def announce(caller: Caller, session: Session, row: CallParticipant,
                   change: Literal["joined", "left"]) -> None:
    await caller.events.publish(topic(session.id), {
        "kind": f"peer_{change}", "accountId": str(row.account_id),
        "devicePublicKey": row.device_public_key,
    })
    for account_id in (session.client_id, session.professional_id):
        await caller.events.publish(f"account:{account_id}",
                                    {"kind": f"participant_{change}",
                                     "sessionId": str(session.id)})
