"""Accepting an invitation: a new person registers, or a signed-in one links their account.

Accepting is a conditional UPDATE on the still-open invitation (same token, not accepted, not
revoked, not expired), inside the same transaction that creates the account and the engagement:
a token works once, even for two requests at the same moment, and a refused acceptance changes
nothing, so the person can fix what was missing and use the same link.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from crypto.tokens import decode_token, lookup_hash
from models.accounts import Account
from models.practice import Engagement, EngagementSource, EngagementStatus, Invitation
from resolvers.accounts import accounts, consents
from resolvers.accounts.signin import SignedIn, start_session
from resolvers.core import audit, outbox
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserError, check, fail
from resolvers.practice import engagement_events, engagements, registration_details
from resolvers.practice.invitations import RELATED, TOKEN_PURPOSE, InvitationStatus, status_of
from resolvers.practice.registration_details import RegistrationDetails
from settings import Settings


@dataclass(frozen=True)
class NewAccountInput:
    password: str
    time_zone: str
    accepted: consents.AcceptedVersions
    name: str | None = None
    """Defaults to the name the professional wrote on the invitation."""
    locale: str = "en"


@dataclass(frozen=True)
class Accepted:
    engagement: Engagement
    signed_in: SignedIn | None
    """A new session when the acceptance created the account; None when one was linked."""


@dataclass(frozen=True)
class Preview:
    invitation: Invitation
    email_has_account: bool
    """Lets the SPA offer "sign in" rather than "create an account"; only the link's holder
    sees it."""


async def preview(token: str) -> Preview | None:
    """What the invitation link shows before accepting; null for a link that does not exist."""
    invitation = await _by_token(token)
    if invitation is None:
        return None
    return Preview(invitation=invitation,
                   email_has_account=await Account.exists(email=invitation.email))


async def accept_invitation(
    caller: Caller,
    *,
    token: str,
    details: RegistrationDetails,
    new_account: NewAccountInput | None = None,
) -> Accepted:
    """Join the service: create an account (signed out) or link the signed-in one.

    The invitation was delivered to its address, so a new account starts with that email
    confirmed, and so does a linked account with the same address.
    """
    invitation = await _open_invitation(token)
    service = invitation.service
    account = caller.account
    errors: list[UserError] = []
    if account is None and new_account is None:
        errors.append(UserError("Create an account with newAccount, or sign in first to add "
                                "this service to your account.", field="newAccount"))
    elif account is None and new_account is not None:
        errors += [replace(e, field=f"newAccount.{e.field}") for e in accounts.new_account_errors(
            email=invitation.email, password=new_account.password,
            name=(new_account.name or invitation.name).strip(),
            time_zone=new_account.time_zone, locale=new_account.locale,
        )] + consents.consent_errors(caller.settings, new_account.accepted, prefix="newAccount.")
    elif new_account is not None:
        errors.append(UserError("You are signed in: leave out newAccount, or sign out to create "
                                "a separate account.", field="newAccount"))
    elif account is not None and account.id == service.professional.account_id:
        raise fail("This is your own service.", ErrorCode.OWN_SERVICE, "token")
    kept, detail_errors = registration_details.check_given(
        registration_details.required_of(service.required_details),
        registration_details.questions_of(service.custom_questions), details,
    )
    check(errors + detail_errors)
    if account is None:
        if await Account.exists(email=invitation.email):
            raise fail(f"An account with {invitation.email} exists already: sign in, then open "
                       "the invitation link again.", ErrorCode.EMAIL_TAKEN, "newAccount")
    elif problem := await engagements.already_engaged(account, service):
        raise problem
    try:
        return await _accept(caller, invitation, kept, account, new_account)
    except IntegrityError:
        if account is None and await Account.exists(email=invitation.email):
            raise fail(f"An account with {invitation.email} exists already: sign in, then open "
                       "the invitation link again.", ErrorCode.EMAIL_TAKEN,
                       "newAccount") from None
        raise fail("You are already connected to this service; find it in your hub.",
                   ErrorCode.ALREADY_ENGAGED) from None


async def _accept(caller: Caller, invitation: Invitation, details: RegistrationDetails,
                  account: Account | None, new_account: NewAccountInput | None) -> Accepted:
    password_hash = (await accounts.hash_password(caller, new_account.password)
                     if new_account is not None else "")
    now = datetime.now(UTC)
    async with in_transaction():
        claimed = await Invitation.filter(
            id=invitation.id, token_hash=invitation.token_hash, accepted_at=None,
            revoked_at=None, expires_at__gt=now,
        ).update(accepted_at=now)
        if not claimed:
            raise fail("This invitation was just used or withdrawn.", ErrorCode.TOKEN_USED,
                       "token")
        signed_in = None
        if account is None:
            assert new_account is not None
            account = await accounts.create_account(
                caller, accounts.NewAccount(
                    email=invitation.email, name=(new_account.name or invitation.name).strip(),
                    time_zone=new_account.time_zone, locale=new_account.locale,
                    password_hash=password_hash,
                ), as_client=True, as_professional=False, email_confirmed=True,
            )
            await consents.record(caller.settings, account)
            signed_in = await start_session(caller, account)
        else:
            await _link_account(account, invitation, now)
        await Invitation.filter(id=invitation.id).update(accepted_by_id=account.id)
        engagement = await engagements.create_engagement(
            caller.settings, client=account, service=invitation.service,
            status=EngagementStatus.ACTIVE, source=EngagementSource.INVITATION,
            details=details, invitation=invitation,
        )
        await _tell_the_professional(caller.settings, invitation, account)
        await engagement_events.announce(caller, engagement, "invitation_accepted")
        await audit.record(caller, "accept_invitation", subject_type="engagement",
                           subject_id=engagement.id, person_id=account.id,
                           actor_id=account.id)
    return Accepted(engagement=engagement, signed_in=signed_in)


async def _tell_the_professional(settings: Settings, invitation: Invitation,
                                 account: Account) -> None:
    """The professional learns who joined; when a signed-in account with another address took
    the invitation (a forwarded link, a person's second address), the email says so."""
    profile = invitation.service.professional
    other_address = account.email != invitation.email
    await outbox.enqueue(
        settings, to=profile.account.email, template="invitation_accepted",
        locale=profile.account.locale,
        values={"name": profile.display_name, "client": account.name,
                "service": invitation.service.title,
                "account_email": account.email if other_address else "",
                "invited_email": invitation.email if other_address else "",
                "link": f"{settings.public_url}/practice/clients"},
    )


async def _link_account(account: Account, invitation: Invitation, now: datetime) -> None:
    changes: dict[str, object] = {}
    if not account.is_client:
        changes["is_client"] = True
    if account.email == invitation.email and account.email_confirmed_at is None:
        changes["email_confirmed_at"] = now
    if changes:
        await Account.filter(id=account.id).update(**changes)
        account.update_from_dict(changes)


async def _by_token(token: str) -> Invitation | None:
    raw = decode_token(token)
    if raw is None:
        return None
    return await Invitation.get_or_none(
        token_hash=lookup_hash(raw, purpose=TOKEN_PURPOSE)
    ).select_related(RELATED)


async def _open_invitation(token: str) -> Invitation:
    """The invitation if it can still be accepted; otherwise a userError that says why."""
    invitation = await _by_token(token)
    if invitation is None:
        raise fail("This invitation link is not valid. Open the link in the most recent "
                   "invitation email, and check that it was not cut short.",
                   ErrorCode.INVALID_TOKEN, "token")
    who = invitation.service.professional.display_name
    status = status_of(invitation)
    if status is InvitationStatus.ACCEPTED:
        raise fail("This invitation has already been accepted. Sign in to see your services.",
                   ErrorCode.TOKEN_USED, "token")
    if status is InvitationStatus.REVOKED:
        raise fail(f"{who} withdrew this invitation. Contact them if you think it is a mistake.",
                   ErrorCode.TOKEN_REVOKED, "token")
    if status is InvitationStatus.EXPIRED:
        raise fail(f"This invitation has expired. Ask {who} to send it again.",
                   ErrorCode.TOKEN_EXPIRED, "token")
    if invitation.service.archived_at is not None:
        raise fail(f"{who} no longer offers this service.", ErrorCode.SERVICE_ARCHIVED, "token")
    return invitation
