"""Steps the notes tests take, written as the SPA would take them: a professional with a client,
writing notes, and reading them back through `clientProfile.notes`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts import Account
from models.practice import Engagement
from models.scheduling import Session
from tests.notes_support import register_professional
from tests.practice_steps import APPROVE, client, create_service, request

USER_ERRORS = "userErrors { field message code }"
NOTE_FIELDS = ("id aboutDate state title body problem createdAt updatedAt "
               "session { id startsAt }")

WRITE = f"""
mutation($input: WriteNoteInput!) {{
  writeNote(input: $input) {{ note {{ {NOTE_FIELDS} }} {USER_ERRORS} }}
}}"""

UPDATE = f"""
mutation($input: UpdateNoteInput!) {{
  updateNote(input: $input) {{ note {{ {NOTE_FIELDS} }} {USER_ERRORS} }}
}}"""

DELETE = f"""
mutation($input: DeleteNoteInput!) {{
  deleteNote(input: $input) {{ deletedNoteId {USER_ERRORS} }}
}}"""

NOTES = f"""
query($id: ID!, $first: Int, $after: String, $from: Date, $to: Date, $search: String) {{
  clientProfile(id: $id) {{
    notes(first: $first, after: $after, from: $from, to: $to, search: $search) {{
      edges {{ cursor node {{ {NOTE_FIELDS} }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}"""

PROFILE = """
query($id: ID!) {
  clientProfile(id: $id) {
    id name email emailConfirmed timeZone
    engagements { id status service { title } registrationDetails { phone dateOfBirth } }
  }
}"""

NOTE_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Note {{ {NOTE_FIELDS} }} }} }}"

CLIENT_PROFILE_IDS = "{ practice { engagements { clientProfileId client { email } } } }"


@dataclass(frozen=True)
class Practice:
    """A professional with one client whose request they approved."""

    token: str
    recovery_key: str
    email: str
    client_token: str
    client_email: str
    client_id: str
    """The ClientProfile id, as the SPA gets it from Engagement.clientProfileId."""
    service: dict[str, Any]


async def practice_with_client(api: Any, email: str = "sigrun@example.com",
                               client_email: str = "anna@example.com", *,
                               client_token: str | None = None) -> Practice:
    token, recovery_key = await register_professional(api, email)
    service = await create_service(api, token)
    if client_token is None:
        client_token = await client(api, client_email)
    engagement = (await request(api, client_token, service))["engagement"]
    approved = (await api.data(APPROVE, {"input": {"engagementId": engagement["id"]}},
                               token=token))["approveRequest"]
    assert approved["userErrors"] == []
    return Practice(token=token, recovery_key=recovery_key, email=email,
                    client_token=client_token, client_email=client_email,
                    client_id=await client_profile_id(api, token, client_email),
                    service=service)


async def client_profile_id(api: Any, token: str, client_email: str) -> str:
    engagements = (await api.data(CLIENT_PROFILE_IDS, token=token))["practice"]["engagements"]
    return next(e["clientProfileId"] for e in engagements
                if e["client"]["email"] == client_email)


async def write(api: Any, token: str, client_id: str, *, date: str = "2026-11-20",
                title: str = "Fyrsti tími", body: str = "Þórunn talaði um svefninn.",
                **more: Any) -> dict[str, Any]:
    """The writeNote payload (note and userErrors)."""
    return (await api.data(WRITE, {"input": {
        "clientId": client_id, "date": date, "title": title, "body": body, **more,
    }}, token=token))["writeNote"]


async def written(api: Any, token: str, client_id: str, **fields: Any) -> dict[str, Any]:
    payload = await write(api, token, client_id, **fields)
    assert payload["userErrors"] == []
    return payload["note"]


async def notes_page(api: Any, token: str | None, client_id: str, **arguments: Any
                     ) -> dict[str, Any] | None:
    """The notes connection of the client's profile; None when the profile is not shown."""
    profile = (await api.data(NOTES, {"id": client_id, **arguments}, token=token)
               )["clientProfile"]
    return profile["notes"] if profile is not None else None


async def all_notes(api: Any, token: str, client_id: str) -> list[dict[str, Any]]:
    page = await notes_page(api, token, client_id, first=100)
    assert page is not None
    return [edge["node"] for edge in page["edges"]]


async def session_with(professional_email: str, client_email: str, *, days_ago: int = 1
                       ) -> Session:
    """A completed session of the two (made with the model: booking belongs to scheduling)."""
    engagement = await Engagement.get(client__email=client_email,
                                      service__professional__account__email=professional_email
                                      ).select_related("service")
    professional = await Account.get(email=professional_email)
    starts = datetime(2026, 11, 20, 10, tzinfo=UTC) - timedelta(days=days_ago)
    return await Session.create(
        engagement=engagement, professional=professional, client_id=engagement.client_id,
        starts_at=starts, ends_at=starts + timedelta(minutes=50), length_minutes=50,
        price_amount=18_000, currency="ISK", booked_by=professional,
    )
