"""Building a client's history for the hub tests: practice set up through the API, sessions
written through the scheduling models (the booking mutations live on another branch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from strawberry import relay

from models.accounts import Account
from models.practice import Engagement
from models.scheduling import Session, SessionStatus
from tests.helpers import register
from tests.practice_steps import APPROVE, create_service, request

HUB_SESSION = """
  id status startsAt endsAt startsAtLocal endsAtLocal joinOpensAt canJoin
  service { id title } professional { displayName }
"""

HUB = f"""
query($first: Int, $after: String, $serviceId: ID) {{ hub {{
  timeZone
  nextSession {{ {HUB_SESSION} }}
  upcomingSessions(first: 10) {{ {HUB_SESSION} }}
  pastSessions(first: $first, after: $after, serviceId: $serviceId) {{
    edges {{ cursor node {{ {HUB_SESSION} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
  engagements {{
    id status service {{ id title }} professional {{ displayName }}
    progress {{
      attended cancelled lateCancelled noShows scheduled firstSessionAt lastSessionAt
      nextSessionAt averageDaysBetween perMonth {{ month attended }}
    }}
  }}
  totals {{ sessionsAttended services professionals paid {{ paid {{ amount currency }} }} }}
  payments {{ edges {{ node {{
    amount {{ amount currency }} receiptUrl
    session {{ service {{ title }} professional {{ displayName }} }}
  }} }} }}
}} }}"""


@dataclass
class Practice:
    """A professional with their token, account and services (by title)."""

    token: str
    account: Account
    services: dict[str, dict[str, Any]] = field(default_factory=dict)


async def account(email: str) -> Account:
    return await Account.get(email=email)


async def practice(api: Any, email: str, name: str, titles: list[str],
                   time_zone: str = "Atlantic/Reykjavik", **service: Any) -> Practice:
    token = await register(api, email, name=name, roles=("PROFESSIONAL",), time_zone=time_zone)
    found = Practice(token=token, account=await account(email))
    for title in titles:
        await add_service(api, found, title, **service)
    return found


async def add_service(api: Any, owner: Practice, title: str, **changes: Any) -> dict[str, Any]:
    owner.services[title] = await create_service(
        api, owner.token, title=title, requiredDetails=[], customQuestions=[], **changes,
    )
    return owner.services[title]


async def connect(api: Any, client_token: str, owner: Practice, title: str) -> Engagement:
    """The client asks through the request link and the professional approves."""
    payload = await request(api, client_token, owner.services[title])
    assert payload["userErrors"] == [], payload
    engagement_id = payload["engagement"]["id"]
    approved = await api.data(APPROVE, {"input": {"engagementId": engagement_id}},
                              token=owner.token)
    assert approved["approveRequest"]["userErrors"] == []
    return await Engagement.get(id=node_uuid(engagement_id))


async def client(api: Any, email: str, name: str, time_zone: str = "Atlantic/Reykjavik"
                 ) -> str:
    return await register(api, email, name=name, time_zone=time_zone)


async def add_session(engagement: Engagement, starts_at: datetime,
                      status: SessionStatus = SessionStatus.COMPLETED,
                      minutes: int = 50) -> Session:
    service = await engagement.service
    owner = await service.professional
    return await Session.create(
        engagement=engagement, professional_id=owner.account_id,
        client_id=engagement.client_id, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes), length_minutes=minutes,
        price_amount=service.price_amount, currency=service.currency,
        booked_by_id=engagement.client_id, status=status,
    )


async def add_sessions(engagement: Engagement, count: int, *, start: datetime,
                       every: timedelta = timedelta(days=7),
                       status: SessionStatus = SessionStatus.COMPLETED) -> None:
    """Many sessions at once (one INSERT), for the large data sets."""
    service = await engagement.service
    owner = await service.professional
    await Session.bulk_create([Session(
        engagement_id=engagement.id, professional_id=owner.account_id,
        client_id=engagement.client_id, starts_at=start + every * i,
        ends_at=start + every * i + timedelta(minutes=50), length_minutes=50,
        price_amount=service.price_amount, currency=service.currency,
        booked_by_id=engagement.client_id, status=status,
    ) for i in range(count)])


def month_start(now: datetime, back: int) -> datetime:
    """The first day (UTC midnight) of the month `back` months before `now`'s month."""
    index = now.year * 12 + now.month - 1 - back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def node_uuid(global_id: str) -> UUID:
    return UUID(relay.GlobalID.from_id(global_id).node_id)



PAY = """mutation($input: RecordManualPaymentInput!) {
  recordManualPayment(input: $input) { payment { id status } userErrors { message } }
}"""


async def pay(api: Any, owner: Practice, session: Session) -> None:
    """The professional records a cash payment for the session."""
    payload = (await api.data(PAY, {"input": {
        "sessionId": relay.to_base64("Session", str(session.id)), "method": "CASH",
    }}, token=owner.token))["recordManualPayment"]
    assert payload["userErrors"] == [], payload
