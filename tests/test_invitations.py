"""Invitations: the email arrives through a real SMTP server, and its link's token is accepted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from models.accounts import Account
from models.practice import Engagement, Invitation
from tests.helpers import CURRENT_TERMS, PASSWORD, login
from tests.mailbox import html_of, text_of, token_in
from tests.payment_steps import register_client
from tests.practice_steps import (
    ACCEPT,
    ARCHIVE_SERVICE,
    INVITE,
    NODE,
    PRACTICE,
    PREVIEW,
    RESEND,
    REVOKE,
    VIEWER,
    accept_as_new,
    client,
    codes,
    create_service,
    full_details,
    invite,
    professional,
)


async def _invited(api, mailbox, **changes):
    """A professional, a service, and the token from the invitation email Anna received."""
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    invitation = await invite(api, sigrun, service["id"], **changes)
    await mailbox.deliver()
    return sigrun, service, invitation, token_in(mailbox.last("anna@example.com"))


async def _snapshot():
    """Everything acceptance could change, to prove that a refused one changed nothing."""
    invitations = await Invitation.all().order_by("id").values(
        "id", "accepted_at", "accepted_by_id", "revoked_at", "token_hash"
    )
    return (await Account.all().count(), await Engagement.all().count(), invitations)


async def test_invited_person_follows_the_emailed_link_and_registers(api, mailbox):
    sigrun, service, invitation, token = await _invited(
        api, mailbox, message="Looking forward to working with you.")
    email = mailbox.last("anna@example.com")
    assert email["Subject"] == "Sigrún Jónsdóttir invites you to Psychological counselling"
    assert "Looking forward to working with you." in text_of(email)
    assert "Looking forward to working with you." in html_of(email)
    assert invitation["status"] == "PENDING"

    preview = (await api.data(PREVIEW, {"token": token}))["invitationPreview"]
    assert preview["status"] == "PENDING"
    assert preview["email"] == "anna@example.com"
    assert preview["emailHasAccount"] is False
    assert preview["service"]["professionalName"] == "Sigrún Jónsdóttir"

    accepted = await accept_as_new(api, token, service)
    assert accepted["userErrors"] == []
    assert accepted["viewer"] == {"email": "anna@example.com", "emailConfirmed": True,
                                  "roles": ["CLIENT"], "name": "Anna"}
    engagement = accepted["engagement"]
    assert engagement["status"] == "ACTIVE"
    assert engagement["source"] == "INVITATION"
    assert engagement["startedAt"] is not None
    assert engagement["registrationDetails"]["phone"] == "+354 555 1234"
    assert engagement["registrationDetails"]["dateOfBirth"] == "1990-04-01"
    assert engagement["registrationDetails"]["customAnswers"][0]["question"] == (
        "What would you like help with?"
    )

    viewer = (await api.data(VIEWER, token=accepted["token"]))["viewer"]
    assert viewer["email"] == "anna@example.com"
    assert (await login(api, "anna@example.com"))["token"]
    practice = (await api.data(PRACTICE, token=sigrun))["practice"]
    assert practice["invitations"][0]["status"] == "ACCEPTED"
    assert [e["status"] for e in practice["engagements"]] == ["ACTIVE"]
    await mailbox.deliver()
    notice = mailbox.last("sigrun@example.com")
    assert notice["Subject"] == "Anna accepted your invitation"
    assert "Psychological counselling" in text_of(notice)
    assert "not the address you invited" not in text_of(notice)


async def test_invitation_in_icelandic(api, mailbox):
    await _invited(api, mailbox, locale="is", message="Hlakka til að sjá þig.")
    email = mailbox.last("anna@example.com")
    assert email["Subject"] == "Boð um þjónustu: Psychological counselling"
    assert "Þiggja boðið" in html_of(email)
    assert "Hlakka til að sjá þig." in text_of(email)


async def test_signed_in_person_links_their_existing_account(api, mailbox):
    anna = await client(api)
    _, service, _, token = await _invited(api, mailbox)
    preview = (await api.data(PREVIEW, {"token": token}))["invitationPreview"]
    assert preview["emailHasAccount"] is True

    accepted = (await api.data(ACCEPT, {"input": {
        "token": token, "details": full_details(service),
    }}, token=anna))["acceptInvitation"]
    assert accepted["userErrors"] == []
    assert accepted["token"] is None
    assert accepted["viewer"]["emailConfirmed"] is True
    assert accepted["engagement"]["client"]["email"] == "anna@example.com"
    assert await Account.all().count() == 2


async def test_signed_out_acceptance_for_an_existing_address_asks_to_sign_in(api, mailbox):
    await client(api)
    _, service, _, token = await _invited(api, mailbox)
    before = await _snapshot()
    accepted = await accept_as_new(api, token, service)
    assert codes(accepted) == ["EMAIL_TAKEN"]
    assert "sign in" in accepted["userErrors"][0]["message"]
    assert await _snapshot() == before


async def test_missing_required_details_are_each_listed_and_nothing_changes(api, mailbox):
    _, service, _, token = await _invited(api, mailbox)
    before = await _snapshot()
    accepted = (await api.data(ACCEPT, {"input": {
        "token": token, "details": {"phone": "  "},
        "newAccount": {"password": "short", "timeZone": "Atlantic/Reykjavik", **CURRENT_TERMS},
    }}))["acceptInvitation"]
    question_id = service["customQuestions"][0]["id"]
    assert {(e["field"], e["code"]) for e in accepted["userErrors"]} == {
        ("details.phone", "DETAIL_REQUIRED"),
        ("details.dateOfBirth", "DETAIL_REQUIRED"),
        (f"details.customAnswers.{question_id}", "DETAIL_REQUIRED"),
        ("newAccount.password", "WEAK_PASSWORD"),
    }
    assert accepted["engagement"] is None
    assert await _snapshot() == before


async def test_used_invitation_cannot_be_accepted_again(api, mailbox):
    _, service, _, token = await _invited(api, mailbox)
    assert (await accept_as_new(api, token, service))["userErrors"] == []
    before = await _snapshot()
    again = await accept_as_new(api, token, service, newAccount={
        "password": PASSWORD, "timeZone": "UTC", "name": "Someone else", **CURRENT_TERMS})
    assert codes(again) == ["TOKEN_USED"]
    assert again["userErrors"][0]["message"] == (
        "This invitation has already been accepted. Sign in to see your services."
    )
    assert await _snapshot() == before


async def test_expired_invitation_is_refused_and_nothing_changes(api, mailbox):
    _, service, _, token = await _invited(api, mailbox)
    await Invitation.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    before = await _snapshot()
    accepted = await accept_as_new(api, token, service)
    assert codes(accepted) == ["TOKEN_EXPIRED"]
    assert accepted["userErrors"][0]["message"] == (
        "This invitation has expired. Ask Sigrún Jónsdóttir to send it again."
    )
    assert await _snapshot() == before


async def test_revoked_invitation_is_refused_and_nothing_changes(api, mailbox):
    sigrun, service, invitation, token = await _invited(api, mailbox)
    revoked = (await api.data(REVOKE, {"input": {"invitationId": invitation["id"]}},
                              token=sigrun))["revokeInvitation"]
    assert revoked["invitation"]["status"] == "REVOKED"
    before = await _snapshot()
    accepted = await accept_as_new(api, token, service)
    assert codes(accepted) == ["TOKEN_REVOKED"]
    assert await _snapshot() == before


async def test_forged_or_mangled_tokens_are_refused_and_nothing_changes(api, mailbox):
    _, service, _, token = await _invited(api, mailbox)
    before = await _snapshot()
    # Change a leading character: the last one of 43 carries two ignored padding bits.
    altered = ("B" if token[0] == "A" else "A") + token[1:]
    for forged in ["A" * 43, token[:-1], altered, "", "💥"]:
        accepted = await accept_as_new(api, forged, service)
        assert codes(accepted) == ["INVALID_TOKEN"], forged
        assert (await api.data(PREVIEW, {"token": forged}))["invitationPreview"] is None
    assert await _snapshot() == before


async def test_resend_sends_a_new_link_and_the_old_one_stops_working(api, mailbox):
    sigrun, service, invitation, old_token = await _invited(api, mailbox)
    resent = (await api.data(RESEND, {"input": {"invitationId": invitation["id"]}},
                             token=sigrun))["resendInvitation"]
    assert resent["userErrors"] == []
    assert resent["invitation"]["sendCount"] == 2
    await mailbox.deliver()
    new_token = token_in(mailbox.last("anna@example.com"))
    assert new_token != old_token
    assert codes(await accept_as_new(api, old_token, service)) == ["INVALID_TOKEN"]
    assert (await accept_as_new(api, new_token, service))["userErrors"] == []


async def test_expired_invitation_can_be_resent(api, mailbox):
    sigrun, service, invitation, _ = await _invited(api, mailbox)
    await Invitation.all().update(expires_at=datetime.now(UTC) - timedelta(days=1))
    await api.data(RESEND, {"input": {"invitationId": invitation["id"]}}, token=sigrun)
    await mailbox.deliver()
    assert (await accept_as_new(api, token_in(mailbox.last("anna@example.com")), service)
            )["userErrors"] == []


async def test_a_second_open_invitation_for_the_same_person_is_refused(api, mailbox):
    sigrun, service, _, _ = await _invited(api, mailbox)
    again = (await api.data(INVITE, {"input": {
        "serviceId": service["id"], "email": "ANNA@example.com", "name": "Anna",
    }}, token=sigrun))["inviteClient"]
    assert codes(again) == ["ALREADY_INVITED"]


PRACTICE_INVITATIONS = """{ practice {
  open: invitations { id status } all: invitations(includeClosed: true) { id status } } }"""


async def test_invitations_to_an_archived_service_stop_working(api, mailbox):
    sigrun, service, _, token = await _invited(api, mailbox)
    await api.data(ARCHIVE_SERVICE, {"input": {"serviceId": service["id"]}}, token=sigrun)
    listed = (await api.data(PRACTICE_INVITATIONS, token=sigrun))["practice"]
    assert listed["open"] == []
    assert [i["status"] for i in listed["all"]] == ["REVOKED"]
    assert codes(await accept_as_new(api, token, service)) == ["TOKEN_REVOKED"]
    again = (await api.data(INVITE, {"input": {
        "serviceId": service["id"], "email": "bjorn@example.com", "name": "Björn",
    }}, token=sigrun))["inviteClient"]
    assert codes(again) == ["SERVICE_ARCHIVED"]


async def test_invite_lists_every_bad_field(api):
    sigrun = await professional(api)
    service = await create_service(api, sigrun)
    bad = (await api.data(INVITE, {"input": {
        "serviceId": service["id"], "email": "not-an-email", "name": "", "locale": "icelandic",
    }}, token=sigrun))["inviteClient"]
    assert {e["field"] for e in bad["userErrors"]} == {"email", "name", "locale"}
    assert await Invitation.all().count() == 0


async def test_a_professional_cannot_see_or_touch_another_professionals_invitations(
        api, mailbox):
    sigrun, service, invitation, token = await _invited(api, mailbox)
    oliver = await professional(api, "oliver@example.com", "Oliver Bennett")

    assert (await api.data(NODE, {"id": invitation["id"]}, token=oliver))["node"] is None
    assert (await api.data(PRACTICE, token=oliver))["practice"]["invitations"] == []
    for mutation, name in ((REVOKE, "revokeInvitation"), (RESEND, "resendInvitation")):
        payload = (await api.data(mutation, {"input": {"invitationId": invitation["id"]}},
                                  token=oliver))[name]
        assert codes(payload) == ["NOT_FOUND"]
    stolen = (await api.data(INVITE, {"input": {
        "serviceId": service["id"], "email": "bjorn@example.com", "name": "Björn",
    }}, token=oliver))["inviteClient"]
    assert codes(stolen) == ["NOT_FOUND"]
    assert (await api.data(NODE, {"id": invitation["id"]}, token=sigrun))["node"]["id"] == (
        invitation["id"]
    )
    assert (await accept_as_new(api, token, service))["userErrors"] == []


async def test_two_acceptances_at_once_make_one_account_and_one_engagement(api, mailbox):
    _, service, _, token = await _invited(api, mailbox)
    results = await asyncio.gather(*(accept_as_new(api, token, service) for _ in range(3)))
    assert sorted(len(r["userErrors"]) for r in results) == [0, 1, 1]
    assert await Account.filter(email="anna@example.com").count() == 1
    assert await Engagement.all().count() == 1


async def test_someone_with_an_account_is_invited_in_their_own_language(api, mailbox):
    await register_client(api, "anna@example.com", "Anna", locale="is")
    invitation = (await _invited(api, mailbox))[2]
    email = mailbox.last("anna@example.com")
    assert email["Subject"] == "Boð um þjónustu: Psychological counselling"
    assert invitation["locale"] == "en"  # the professional's view says nothing of the account


async def test_a_signed_in_account_with_another_address_takes_it_and_the_professional_is_told(
        api, mailbox):
    other = await client(api, "anna.private@example.com", "Anna Jónsdóttir")
    _, service, _, token = await _invited(api, mailbox)
    accepted = (await api.data(ACCEPT, {"input": {
        "token": token, "details": full_details(service),
    }}, token=other))["acceptInvitation"]
    assert accepted["userErrors"] == []
    assert accepted["viewer"]["emailConfirmed"] is True  # signing in needs a confirmed address

    await mailbox.deliver()
    notice = text_of(mailbox.last("sigrun@example.com"))
    assert "anna.private@example.com, not the address you invited (anna@example.com)" in notice
