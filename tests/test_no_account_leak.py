"""No flow that takes an email tells its caller whether the address has an account.

For each flow the whole GraphQL answer for a taken address and for a new one is compared; only
the mailbox learns the difference, and the audit log holds no address.
"""

from __future__ import annotations

from typing import Any

from models.accounts import Account
from models.audit import AuditEntry
from tests.helpers import CURRENT_TERMS, PASSWORD, login, register
from tests.mailbox import text_of, token_in
from tests.practice_steps import INVITE, create_service, professional
from tests.reset_steps import NEW_PASSWORD, REQUEST_RESET, reset

REGISTER_ALL = """
mutation($input: RegisterInput!) {
  register(input: $input) { __typename accepted userErrors { __typename field message code } }
}"""
OPEN_INVITATIONS = "{ practice { open: invitations { status } } }"
ATTACKER_PASSWORD = "someone else's passphrase"


def _form(email: str, **changes: Any) -> dict[str, Any]:
    return {"input": {"email": email, "password": ATTACKER_PASSWORD, "name": "Someone",
                      "timeZone": "UTC", "roles": ["CLIENT", "PROFESSIONAL"], **CURRENT_TERMS,
                      **changes}}


async def _no_address_in_the_audit_log() -> None:
    rows = await AuditEntry.all().values()
    assert rows
    assert not [row for row in rows if any("@" in str(value) for value in row.values())]


async def test_register_answers_alike_for_a_taken_and_a_new_address(api, mailbox):
    await register(api, "anna@example.com")

    taken = await api(REGISTER_ALL, _form("ANNA@example.com"))
    new = await api(REGISTER_ALL, _form("new@example.com"))

    assert taken == new == {"data": {"register": {
        "__typename": "RegisterPayload", "accepted": True, "userErrors": []}}}
    await mailbox.deliver()
    notice = mailbox.last("anna@example.com")
    assert notice["Subject"] == "Someone tried to sign up with your address"
    assert "You already have an account, so nothing was created" in text_of(notice)
    assert mailbox.last("new@example.com")["Subject"] == "Confirm your email address"
    await _no_address_in_the_audit_log()

    assert await Account.filter(email="anna@example.com").count() == 1
    assert (await login(api, "anna@example.com"))["token"]
    refused_taken = await login(api, "anna@example.com", ATTACKER_PASSWORD)
    refused_new = await login(api, "new@example.com", ATTACKER_PASSWORD)
    assert refused_taken == refused_new
    assert [e["code"] for e in refused_new["userErrors"]] == ["INVALID_CREDENTIALS"]


async def test_the_owner_of_a_taken_address_can_reset_from_the_notice(api, mailbox):
    await register(api, "thorunn@example.com", locale="is")
    await api.data(REGISTER_ALL, _form("thorunn@example.com"))
    await mailbox.deliver()
    notice = mailbox.last("thorunn@example.com")
    assert notice["Subject"] == "Reynt var að skrá netfangið þitt"

    assert (await reset(api, token_in(notice)))["passwordChanged"] is True
    assert (await login(api, "thorunn@example.com", NEW_PASSWORD))["token"]


async def test_repeated_attempts_on_a_taken_address_stop_mailing_silently(api, mailbox, settings):
    await register(api, "anna@example.com")
    answers = [await api(REGISTER_ALL, _form("anna@example.com"))
               for _ in range(settings.password_reset_max_per_hour + 2)]

    assert all(answer == answers[0] for answer in answers)
    await mailbox.deliver()
    notices = [m for m in mailbox.to("anna@example.com")
               if m["Subject"] == "Someone tried to sign up with your address"]
    assert len(notices) == settings.password_reset_max_per_hour


async def test_a_new_address_without_its_confirmation_email_is_confirmed_by_a_reset(api,
                                                                                     mailbox):
    await api.data(REGISTER_ALL, _form("new@example.com"))
    await api.data(REQUEST_RESET, {"input": {"email": "new@example.com"}})
    await mailbox.deliver()
    assert (await reset(api, token_in(mailbox.last("new@example.com"))))["passwordChanged"]

    assert (await login(api, "new@example.com", NEW_PASSWORD))["token"]


async def test_invite_client_answers_alike_for_a_taken_and_a_new_address(api, mailbox):
    await register(api, "anna@example.com", locale="is")
    sigrun = await professional(api)
    service = await create_service(api, sigrun)

    def invite(email: str) -> dict[str, Any]:
        return {"input": {"serviceId": service["id"], "email": email, "name": "Anna",
                          "message": "Velkomin", "locale": "en"}}

    taken = await api(INVITE, invite("anna@example.com"), token=sigrun)
    new = await api(INVITE, invite("new@example.com"), token=sigrun)

    def without_what_must_differ(answer: dict[str, Any]) -> dict[str, Any]:
        """Each invitation has its own id, address and moment of sending; nothing else."""
        invitation = dict(answer["data"]["inviteClient"]["invitation"])
        del invitation["id"], invitation["email"], invitation["expiresAt"]
        return {**answer["data"]["inviteClient"], "invitation": invitation}

    assert without_what_must_differ(taken) == without_what_must_differ(new)
    assert taken["data"]["inviteClient"]["invitation"]["status"] == "PENDING"
    listed = (await api.data(OPEN_INVITATIONS, token=sigrun))["practice"]
    assert [i["status"] for i in listed["open"]] == ["PENDING", "PENDING"]
    await mailbox.deliver()
    assert mailbox.last("anna@example.com")["Subject"].startswith("Boð um þjónustu")
    assert mailbox.last("new@example.com")["Subject"].startswith("Sigrún Jónsdóttir invites")
    await _no_address_in_the_audit_log()


async def test_password_reset_answers_alike_for_a_taken_and_a_new_address(api, mailbox):
    await register(api, "anna@example.com", password=PASSWORD)
    taken = await api(REQUEST_RESET, {"input": {"email": "anna@example.com"}})
    new = await api(REQUEST_RESET, {"input": {"email": "new@example.com"}})
    assert taken == new
    await mailbox.deliver()
    assert mailbox.to("new@example.com") == []
    await _no_address_in_the_audit_log()
