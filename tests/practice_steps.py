"""Steps the practice tests take, written as the SPA would take them."""

from __future__ import annotations

from typing import Any

from tests.helpers import CURRENT_TERMS, PASSWORD, register

USER_ERRORS = "userErrors { field message code }"

SERVICE_FIELDS = """
  id slug title kind description sessionMinutes price { amount currency } vatRateBasisPoints
  selfBooking cancellationWindowHours cardRequired requiredDetails
  customQuestions { id text required } requestUrl archivedAt
  professional { id displayName }
"""

ENGAGEMENT_FIELDS = """
  id status source requestMessage declineReason endReason endedBy
  requestedAt startedAt declinedAt endedAt
  service { id title } professional { displayName } client { name email emailConfirmed }
  registrationDetails {
    phone dateOfBirth address nationalId emergencyContact employerOrInsurer
    customAnswers { questionId question answer }
  }
"""

CREATE_SERVICE = f"""
mutation($input: CreateServiceInput!) {{
  createService(input: $input) {{ service {{ {SERVICE_FIELDS} }} {USER_ERRORS} }}
}}"""

UPDATE_SERVICE = f"""
mutation($input: UpdateServiceInput!) {{
  updateService(input: $input) {{ service {{ {SERVICE_FIELDS} }} {USER_ERRORS} }}
}}"""

ARCHIVE_SERVICE = f"""
mutation($input: ArchiveServiceInput!) {{
  archiveService(input: $input) {{ service {{ id archivedAt }} {USER_ERRORS} }}
}}"""

INVITATION_FIELDS = "id email name message locale status expiresAt sendCount service { id }"

INVITE = f"""
mutation($input: InviteClientInput!) {{
  inviteClient(input: $input) {{ invitation {{ {INVITATION_FIELDS} }} {USER_ERRORS} }}
}}"""

REVOKE = f"""
mutation($input: RevokeInvitationInput!) {{
  revokeInvitation(input: $input) {{ invitation {{ {INVITATION_FIELDS} }} {USER_ERRORS} }}
}}"""

RESEND = f"""
mutation($input: ResendInvitationInput!) {{
  resendInvitation(input: $input) {{ invitation {{ {INVITATION_FIELDS} }} {USER_ERRORS} }}
}}"""

ACCEPT = f"""
mutation($input: AcceptInvitationInput!) {{
  acceptInvitation(input: $input) {{
    token viewer {{ email emailConfirmed roles name }}
    engagement {{ {ENGAGEMENT_FIELDS} }}
    {USER_ERRORS}
  }}
}}"""

PREVIEW = """
query($token: String!) {
  invitationPreview(token: $token) {
    status email name message emailHasAccount
    service { title professionalName requiredDetails customQuestions { id text } }
  }
}"""

REQUEST = f"""
mutation($input: RequestServiceInput!) {{
  requestService(input: $input) {{ engagement {{ {ENGAGEMENT_FIELDS} }} {USER_ERRORS} }}
}}"""

APPROVE = f"""
mutation($input: ApproveRequestInput!) {{
  approveRequest(input: $input) {{ engagement {{ id status startedAt }} {USER_ERRORS} }}
}}"""

DECLINE = f"""
mutation($input: DeclineRequestInput!) {{
  declineRequest(input: $input) {{ engagement {{ id status declineReason }} {USER_ERRORS} }}
}}"""

END = f"""
mutation($input: EndEngagementInput!) {{
  endEngagement(input: $input) {{ engagement {{ id status endedBy endReason }} {USER_ERRORS} }}
}}"""

PRACTICE = f"""
{{ practice {{
  profile {{ id displayName }}
  services(includeArchived: true) {{ id title }}
  pendingRequests {{ {ENGAGEMENT_FIELDS} }}
  engagements {{ id status }}
  invitations(includeClosed: true) {{ id email status }}
}} }}"""

MY_ENGAGEMENTS = f"{{ myEngagements {{ {ENGAGEMENT_FIELDS} }} }}"

PUBLIC_SERVICE = """
query($slug: String!) {
  publicService(slug: $slug) {
    slug title kind description sessionMinutes price { amount currency } selfBooking
    cancellationWindowHours cardRequired requiredDetails customQuestions { id text required }
    professionalName profession practiceName
  }
}"""

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"

VIEWER = "{ viewer { email emailConfirmed roles } }"


def psychology(**changes: Any) -> dict[str, Any]:
    """A typical service: ISK price, phone and date of birth required, one custom question."""
    return {
        "title": "Psychological counselling", "kind": "PSYCHOLOGY", "sessionMinutes": 50,
        "price": {"amount": 18000, "currency": "ISK"}, "vatRateBasisPoints": 0,
        "requiredDetails": ["PHONE", "DATE_OF_BIRTH"],
        "customQuestions": [{"text": "What would you like help with?"}], **changes,
    }


def full_details(service: dict[str, Any]) -> dict[str, Any]:
    """Every detail the `psychology()` service asks for."""
    return {
        "phone": "+354 555 1234", "dateOfBirth": "1990-04-01",
        "customAnswers": [{"questionId": q["id"], "answer": "Sleeping badly"}
                          for q in service["customQuestions"]],
    }


async def professional(api: Any, email: str = "sigrun@example.com",
                       name: str = "Sigrún Jónsdóttir") -> str:
    return await register(api, email, name=name, roles=("PROFESSIONAL",))


async def client(api: Any, email: str = "anna@example.com", name: str = "Anna Jónsdóttir"
                 ) -> str:
    return await register(api, email, name=name)


async def create_service(api: Any, token: str, **changes: Any) -> dict[str, Any]:
    payload = (await api.data(CREATE_SERVICE, {"input": psychology(**changes)},
                              token=token))["createService"]
    assert payload["userErrors"] == []
    return payload["service"]


async def invite(api: Any, token: str, service_id: str, email: str = "anna@example.com",
                 name: str = "Anna", **changes: Any) -> dict[str, Any]:
    payload = (await api.data(INVITE, {"input": {
        "serviceId": service_id, "email": email, "name": name, **changes,
    }}, token=token))["inviteClient"]
    assert payload["userErrors"] == []
    return payload["invitation"]


async def accept_as_new(api: Any, invitation_token: str, service: dict[str, Any],
                        **changes: Any) -> dict[str, Any]:
    return (await api.data(ACCEPT, {"input": {
        "token": invitation_token, "details": full_details(service),
        "newAccount": {"password": PASSWORD, "timeZone": "Atlantic/Reykjavik",
                       **CURRENT_TERMS}, **changes,
    }}))["acceptInvitation"]


async def request(api: Any, token: str, service: dict[str, Any], **changes: Any
                  ) -> dict[str, Any]:
    return (await api.data(REQUEST, {"input": {
        "slug": service["slug"], "details": full_details(service), **changes,
    }}, token=token))["requestService"]


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]
