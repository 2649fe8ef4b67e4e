"""Engagements: one client connected to one service.

A client asks through the service's request link (`request_service`), the professional answers
(`approve_request` / `decline_request`), and either side may end it. Status changes are
conditional UPDATEs on the current status, so two answers to one request cannot both win; the
client is emailed in the same transaction as the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.practice import (
    OPEN_ENGAGEMENT_STATUSES,
    Engagement,
    EngagementSide,
    EngagementSource,
    EngagementStatus,
    Invitation,
    Service,
)
from resolvers.core import audit, domain_events, outbox
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserErrors, check, fail
from resolvers.core.validation import text_error
from resolvers.practice import emailing_limits, engagement_events, registration_details, services
from resolvers.practice.card_requirement import require_card
from resolvers.practice.registration_details import RegistrationDetails
from settings import Settings

NOT_FOUND_MESSAGE = "That engagement does not exist, or it is not yours."
RELATED = ("client", "service__professional__account")


@dataclass(frozen=True)
class EngagementEnded:
    """Published inside the transaction that ends an engagement: scheduling cancels the
    sessions of it that have not started, in that same transaction."""

    caller: Caller
    ended_by: Account
    engagement_id: UUID


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


async def create_engagement(
    settings: Settings,
    *,
    client: Account,
    service: Service,
    status: EngagementStatus,
    source: EngagementSource,
    details: RegistrationDetails,
    message: str = "",
    invitation: Invitation | None = None,
) -> Engagement:
    """Insert an engagement with its details sealed. Call inside a transaction; a second open
    engagement for the same client and service raises IntegrityError (partial unique index)."""
    engagement_id = uuid4()
    now = datetime.now(UTC)
    return await Engagement.create(
        id=engagement_id, client=client, service=service, status=status, source=source,
        invitation=invitation, request_message=message,
        details_sealed=registration_details.seal(settings, engagement_id, details),
        requested_at=now if status is EngagementStatus.REQUESTED else None,
        started_at=now if status is EngagementStatus.ACTIVE else None,
    )


async def already_engaged(client: Account, service: Service) -> UserErrors | None:
    """The error to give when the client already has an open engagement with the service."""
    existing = await Engagement.get_or_none(
        client_id=client.id, service_id=service.id, status__in=OPEN_ENGAGEMENT_STATUSES
    )
    if existing is None:
        return None
    if existing.status is EngagementStatus.REQUESTED:
        return fail("You have already asked for this service; you will get an email when it "
                    "is answered.", ErrorCode.ALREADY_ENGAGED)
    return fail("You are already connected to this service; find it in your hub.",
                ErrorCode.ALREADY_ENGAGED)


async def open_engagement_by_email(service: Service, email: str) -> bool:
    """Whether someone with this address already asks for or uses the service; one query,
    whether or not the address has an account."""
    return await Engagement.filter(client__email=email, service_id=service.id,
                                   status__in=OPEN_ENGAGEMENT_STATUSES).exists()


async def request_service(
    caller: Caller, *, slug: str, details: RegistrationDetails, message: str = ""
) -> Engagement:
    """Ask to become a client of a service through its request link."""
    account = caller.require_account()
    service = await services.public_service(slug)
    if service is None:
        raise fail("This service link does not work any more. Ask the professional for a new "
                   "one.", ErrorCode.NOT_FOUND, "slug")
    if service.professional.account_id == account.id:
        raise fail("This is your own service; share its link with your clients.",
                   ErrorCode.OWN_SERVICE, "slug")
    kept, errors = registration_details.check_given(
        registration_details.required_of(service.required_details),
        registration_details.questions_of(service.custom_questions), details,
    )
    message = message.strip()
    if error := text_error(message, "message", max_length=2_000):
        errors.append(error)
    check(errors)
    if problem := await already_engaged(account, service):
        raise problem
    await require_card(caller.settings, account.id, service)
    await emailing_limits.refuse_if_reached(caller, emailing_limits.REQUEST_SERVICE)
    professional = await Account.get(id=service.professional.account_id)
    try:
        async with in_transaction():
            if not account.is_client:
                await Account.filter(id=account.id).update(is_client=True)
                account.is_client = True
            engagement = await create_engagement(
                caller.settings, client=account, service=service,
                status=EngagementStatus.REQUESTED, source=EngagementSource.REQUEST,
                details=kept, message=message,
            )
            await outbox.enqueue(
                caller.settings, to=professional.email, template="request_received",
                locale=professional.locale,
                values={"name": service.professional.display_name, "client": account.name,
                        "service": service.title, "message": message,
                        "link": f"{caller.settings.public_url}/practice/requests"},
            )
            await audit.record(caller, "request_service", subject_type="engagement",
                               subject_id=engagement.id, person_id=account.id)
            await emailing_limits.record(caller, emailing_limits.REQUEST_SERVICE)
    except IntegrityError:
        raise fail("You have already asked for this service, or are connected to it.",
                   ErrorCode.ALREADY_ENGAGED) from None
    return await _loaded(engagement.id)


async def approve_request(caller: Caller, engagement_id: UUID | None) -> Engagement:
    account = caller.require_professional()
    engagement = await _as_professional(account, engagement_id)
    now = datetime.now(UTC)
    async with in_transaction():
        await _move(engagement, EngagementStatus.REQUESTED, status=EngagementStatus.ACTIVE,
                    started_at=now)
        await _mail_client(caller.settings, engagement, "request_approved",
                           link=f"{caller.settings.public_url}/hub")
        await engagement_events.announce(caller, engagement, "request_approved")
        await audit.record(caller, "approve_request", subject_type="engagement",
                           subject_id=engagement.id, person_id=engagement.client_id)
    return await _loaded(engagement.id)


async def decline_request(caller: Caller, engagement_id: UUID | None, *, reason: str
                          ) -> Engagement:
    """Say no, with a reason the client is sent. The client may ask again later."""
    account = caller.require_professional()
    reason = reason.strip()
    if not reason:
        raise fail("Give the client a short reason; they will be sent it.", field="reason")
    if error := text_error(reason, "reason", max_length=2_000):
        raise UserErrors(error)
    engagement = await _as_professional(account, engagement_id)
    async with in_transaction():
        await _move(engagement, EngagementStatus.REQUESTED, status=EngagementStatus.DECLINED,
                    declined_at=datetime.now(UTC), decline_reason=reason)
        await _mail_client(caller.settings, engagement, "request_declined", reason=reason)
        await engagement_events.announce(caller, engagement, "request_declined")
        await audit.record(caller, "decline_request", subject_type="engagement",
                           subject_id=engagement.id, person_id=engagement.client_id)
    return await _loaded(engagement.id)


async def end_engagement(caller: Caller, engagement_id: UUID | None, *, reason: str = ""
                         ) -> Engagement:
    """Either side ends an active engagement; a client may also withdraw a pending request.

    The other side is emailed. Sessions not yet started are cancelled with it (each with its
    calendar cancellation), so no reminder goes out and the time is free again. A professional
    answers a pending request with approve or decline instead, so the client gets a proper
    answer.
    """
    account = caller.require_account()
    reason = reason.strip()
    if error := text_error(reason, "reason", max_length=2_000):
        raise UserErrors(error)
    engagement = await _as_party(account, engagement_id)
    side = (EngagementSide.CLIENT if engagement.client_id == account.id
            else EngagementSide.PROFESSIONAL)
    allowed = (EngagementStatus.ACTIVE, EngagementStatus.REQUESTED) if (
        side is EngagementSide.CLIENT) else (EngagementStatus.ACTIVE,)
    if engagement.status not in allowed:
        raise fail(_status_message(engagement.status), ErrorCode.WRONG_STATUS)
    profile = engagement.service.professional
    async with in_transaction():
        await _move(engagement, engagement.status, status=EngagementStatus.ENDED,
                    ended_at=datetime.now(UTC), ended_by=side, end_reason=reason)
        await domain_events.publish(EngagementEnded(caller, account, engagement.id))
        await engagement_events.announce(caller, engagement, "engagement_ended")
        if side is EngagementSide.CLIENT:
            await outbox.enqueue(
                caller.settings, to=profile.account.email, template="engagement_ended",
                locale=profile.account.locale,
                values={"name": profile.display_name, "other": engagement.client.name,
                        "service": engagement.service.title, "reason": reason},
            )
        else:
            await _mail_client(caller.settings, engagement, "engagement_ended",
                               other=profile.display_name, reason=reason)
        await audit.record(caller, "end_engagement", subject_type="engagement",
                           subject_id=engagement.id, person_id=engagement.client_id)
    return await _loaded(engagement.id)


async def practice_engagements(caller: Caller, statuses: list[EngagementStatus] | None
                               ) -> list[Engagement]:
    """The practice's engagements in `statuses` (all of them for none), oldest first, with
    their client, service and professional joined in."""
    account = caller.require_professional()
    query = Engagement.filter(service__professional__account_id=account.id)
    if statuses:
        query = query.filter(status__in=statuses)
    return await query.order_by("created_at", "id").select_related(*RELATED)


def with_statuses(found: list[Engagement], statuses: Iterable[EngagementStatus] | None
                  ) -> list[Engagement]:
    """Those of `found` in `statuses` (all of them for none), in their order: one read of the
    practice's engagements serves every list of them in a request."""
    wanted = set(statuses or ())
    return [e for e in found if e.status in wanted] if wanted else found


async def my_engagements(caller: Caller, statuses: list[EngagementStatus] | None
                         ) -> list[Engagement]:
    """The signed-in person's own engagements as a client, newest first."""
    account = caller.require_account()
    query = Engagement.filter(client_id=account.id)
    if statuses:
        query = query.filter(status__in=statuses)
    return await query.order_by("-created_at").select_related(*RELATED)


def details_of(settings: Settings, engagement: Engagement) -> RegistrationDetails:
    """The registration answers; only reachable through an engagement the viewer may see."""
    return registration_details.unseal(settings, engagement.id, engagement.details_sealed)


async def _loaded(engagement_id: UUID) -> Engagement:
    return await Engagement.get(id=engagement_id).select_related(*RELATED)


async def _as_professional(account: Account, engagement_id: UUID | None) -> Engagement:
    engagement = None
    if engagement_id is not None:
        engagement = await Engagement.get_or_none(
            id=engagement_id, service__professional__account_id=account.id
        ).select_related(*RELATED)
    if engagement is None:
        raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "engagementId")
    return engagement


async def _as_party(account: Account, engagement_id: UUID | None) -> Engagement:
    found = await visible_engagements(account, [engagement_id] if engagement_id else [])
    if engagement_id not in found:
        raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "engagementId")
    return found[engagement_id]


async def _move(engagement: Engagement, current: EngagementStatus, **changes: object) -> None:
    """Change status only if it is still `current`; a concurrent change makes this fail."""
    moved = await Engagement.filter(id=engagement.id, status=current).update(**changes)
    if not moved:
        fresh = await Engagement.get(id=engagement.id)
        raise fail(_status_message(fresh.status), ErrorCode.WRONG_STATUS)
    engagement.update_from_dict(changes)


def _status_message(status: EngagementStatus) -> str:
    return {
        EngagementStatus.REQUESTED: "This request is still waiting for an answer: approve or "
                                    "decline it.",
        EngagementStatus.ACTIVE: "This request has already been approved.",
        EngagementStatus.DECLINED: "This request has already been declined.",
        EngagementStatus.ENDED: "This has already ended.",
    }[status]


async def _mail_client(settings: Settings, engagement: Engagement, template: str,
                       **values: str) -> None:
    profile = engagement.service.professional
    client = engagement.client
    await outbox.enqueue(
        settings, to=client.email, template=template, locale=client.locale,
        reply_to=profile.contact_email,
        values={"name": client.name, "professional": profile.display_name,
                "service": engagement.service.title, **values},
    )
