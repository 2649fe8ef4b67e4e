"""Invitations: a professional invites one person, by email, to one of their services.

The link carries a 256-bit token that exists only in the email; the database keeps its keyed
hash, so neither a database copy nor the professional can accept for the client. A re-send
replaces the hash, so only the newest link works. Accepting:
resolvers/practice/invitation_acceptance.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crypto.tokens import decode_token, lookup_hash, new_token
from models.accounts import Account
from models.practice import Invitation, Service
from resolvers.core import audit, outbox
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, check, fail
from resolvers.core.validation import (
    email_error,
    locale_error,
    name_error,
    normalise_email,
    text_error,
)
from resolvers.practice import emailing_limits, engagements, services
from settings import Settings

TOKEN_PURPOSE = "invitation"
NOT_FOUND_MESSAGE = "That invitation does not exist, or it is not yours."
RELATED = "service__professional__account"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


def status_of(invitation: Invitation, now: datetime | None = None) -> InvitationStatus:
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= (now or datetime.now(UTC)):
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def _new_token() -> tuple[str, str]:
    token = new_token()
    raw = decode_token(token)
    assert raw is not None
    return token, lookup_hash(raw, purpose=TOKEN_PURPOSE)


async def invite_client(
    caller: Caller,
    service_id: UUID | None,
    *,
    email: str,
    name: str,
    message: str = "",
    locale: str | None = None,
) -> Invitation:
    """Invite someone to a service; the email is in the language given (default: the
    professional's own)."""
    account = caller.require_professional()
    service = await services.owned_service(account, service_id)
    email = normalise_email(email)
    name = name.strip()
    message = message.strip()
    locale = locale or account.locale
    check([e for e in (email_error(email), name_error(name), locale_error(locale),
                       text_error(message, "message", max_length=2_000)) if e])
    if service.archived_at is not None:
        raise fail("This service is archived; invite clients to a current one.",
                   ErrorCode.SERVICE_ARCHIVED, "serviceId")
    await _refuse_duplicate(service, email)
    await emailing_limits.refuse_if_reached(caller, emailing_limits.INVITATION)
    token, token_hash = _new_token()
    now = datetime.now(UTC)
    async with in_transaction():
        invitation = await Invitation.create(
            service=service, email=email, name=name, message=message, locale=locale,
            token_hash=token_hash, expires_at=now + _lifetime(caller.settings),
            last_sent_at=now,
        )
        await _mail(caller.settings, invitation, service, token)
        await audit.record(caller, "invite_client", subject_type="invitation",
                           subject_id=invitation.id)
        await emailing_limits.record(caller, emailing_limits.INVITATION)
    return await _loaded(invitation.id)


async def _refuse_duplicate(service: Service, email: str) -> None:
    """Refuse what the professional can already see: an open invitation, or a person already
    asking for or using this service (in their requests and clients). Whether the address has
    an account is never part of the answer, and the same queries run either way."""
    open_invitation = await Invitation.filter(
        service_id=service.id, email=email, accepted_at=None, revoked_at=None,
        expires_at__gt=datetime.now(UTC),
    ).exists()
    if open_invitation:
        raise fail("This person already has an open invitation to this service; re-send it "
                   "instead.", ErrorCode.ALREADY_INVITED, "email")
    if await engagements.open_engagement_by_email(service, email):
        raise fail("This person has already asked for or is already using this service.",
                   ErrorCode.ALREADY_ENGAGED, "email")


async def resend_invitation(caller: Caller, invitation_id: UUID | None) -> Invitation:
    """Send a new link with a fresh expiry. The previous link stops working: only one exists."""
    account = caller.require_professional()
    invitation = await _owned(account, invitation_id)
    if invitation.service.archived_at is not None:
        raise fail("This service is archived; invite clients to a current one.",
                   ErrorCode.SERVICE_ARCHIVED)
    await emailing_limits.refuse_if_reached(caller, emailing_limits.INVITATION)
    token, token_hash = _new_token()
    now = datetime.now(UTC)
    async with in_transaction():
        updated = await Invitation.filter(id=invitation.id, accepted_at=None,
                                          revoked_at=None).update(
            token_hash=token_hash, expires_at=now + _lifetime(caller.settings),
            last_sent_at=now, send_count=F("send_count") + 1,
        )
        if not updated:
            raise fail(_closed_message(await _loaded(invitation.id)), ErrorCode.WRONG_STATUS)
        await _mail(caller.settings, invitation, invitation.service, token)
        await audit.record(caller, "resend_invitation", subject_type="invitation",
                           subject_id=invitation.id)
        await emailing_limits.record(caller, emailing_limits.INVITATION)
    return await _loaded(invitation.id)


async def revoke_invitation(caller: Caller, invitation_id: UUID | None) -> Invitation:
    """Withdraw an invitation: its link stops working. Revoking twice is harmless."""
    account = caller.require_professional()
    invitation = await _owned(account, invitation_id)
    updated = await Invitation.filter(id=invitation.id, accepted_at=None,
                                      revoked_at=None).update(revoked_at=datetime.now(UTC))
    fresh = await _loaded(invitation.id)
    if not updated and fresh.accepted_at is not None:
        raise fail(_closed_message(fresh), ErrorCode.WRONG_STATUS)
    return fresh


def _closed_message(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return "This invitation has already been accepted; end the engagement instead."
    return "This invitation was withdrawn; send a new one."


async def owned_invitations(account: Account | None, ids: Iterable[UUID]
                            ) -> dict[UUID, Invitation]:
    if account is None:
        return {}
    found = await Invitation.filter(
        service__professional__account_id=account.id, id__in=list(ids)
    ).select_related(RELATED)
    return {invitation.id: invitation for invitation in found}


async def list_invitations(caller: Caller, *, include_closed: bool) -> list[Invitation]:
    """The professional's invitations, newest first; by default only those still open."""
    account = caller.require_professional()
    query = Invitation.filter(service__professional__account_id=account.id)
    if not include_closed:
        query = query.filter(accepted_at=None, revoked_at=None,
                             expires_at__gt=datetime.now(UTC))
    return await query.order_by("-created_at").select_related(RELATED)


async def _owned(account: Account, invitation_id: UUID | None) -> Invitation:
    found = await owned_invitations(account, [invitation_id] if invitation_id else [])
    if invitation_id not in found:
        raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "invitationId")
    return found[invitation_id]


async def _loaded(invitation_id: UUID) -> Invitation:
    return await Invitation.get(id=invitation_id).select_related(RELATED)


def _lifetime(settings: Settings) -> timedelta:
    return timedelta(days=settings.invitation_days)


async def _mail(settings: Settings, invitation: Invitation, service: Service, token: str) -> None:
    """Someone who already has an account reads it in the language they chose; the
    invitation's own locale is for people we do not know yet. Decided here, at sending, so the
    professional's view of the invitation never hints whether the address has an account."""
    profile = service.professional
    invitee = await Account.get_or_none(email=invitation.email)
    await outbox.enqueue(
        settings, to=invitation.email, template="invitation",
        locale=invitee.locale if invitee is not None else invitation.locale,
        reply_to=profile.contact_email,
        values={"name": invitation.name, "professional": profile.display_name,
                "service": service.title, "message": invitation.message,
                "days": str(settings.invitation_days),
                "link": f"{settings.public_url}/invitation#token={token}"},
    )
