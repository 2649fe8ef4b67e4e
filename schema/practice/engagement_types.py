"""Engagements in the API: one client connected to one service, with what the client gave."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Self, cast
from uuid import UUID

import strawberry
from strawberry import relay

from models import practice as m
from models.accounts import Account
from resolvers.practice import engagements
from resolvers.practice import registration_details as details
from resolvers.practice.progress import Progress as ProgressFigures
from schema.core.context import Info
from schema.core.ids import GLOBAL_ID, global_id, visible_nodes
from schema.core.loaders import Loaders
from schema.core.once import Once
from schema.core.viewpoint import Viewpoint
from schema.practice.practice_types import (
    EngagementSide,
    EngagementSource,
    EngagementStatus,
    ProfessionalProfile,
    Service,
)
from schema.practice.progress_types import Progress


@strawberry.type(description="A client's answer to one of the service's custom questions.")
class CustomAnswer:
    question_id: str = strawberry.field(description="The CustomQuestion.id it answers.")
    question: str = strawberry.field(description="The question as it was asked.")
    answer: str = strawberry.field(description="The client's answer as they wrote it.")


@strawberry.type(description="What the client gave when joining; only what the service asked.")
class RegistrationDetails:
    phone: str | None = strawberry.field(description="Null unless the service asks for PHONE.")
    date_of_birth: date | None = strawberry.field(
        description="Null unless the service asks for DATE_OF_BIRTH.")
    address: str | None = strawberry.field(
        description="Postal address; null unless the service asks for ADDRESS.")
    national_id: str | None = strawberry.field(
        description="E.g. the Icelandic kennitala; null unless the service asks for NATIONAL_ID.")
    emergency_contact: str | None = strawberry.field(
        description="Name and phone to call; null unless the service asks for EMERGENCY_CONTACT.")
    employer_or_insurer: str | None = strawberry.field(
        description="Who may pay or reimburse; null unless the service asks for "
                    "EMPLOYER_OR_INSURER.")
    custom_answers: list[CustomAnswer] = strawberry.field(
        description="Answers to the service's custom questions, in the questions' order.")

    @classmethod
    def of(cls, given: details.RegistrationDetails) -> Self:
        return cls(
            phone=given.phone, date_of_birth=given.date_of_birth, address=given.address,
            national_id=given.national_id, emergency_contact=given.emergency_contact,
            employer_or_insurer=given.employer_or_insurer,
            custom_answers=[CustomAnswer(question_id=a.question_id, question=a.question,
                                         answer=a.answer) for a in given.custom_answers],
        )


@strawberry.type(description="The client of an engagement, as the professional reaches them.")
class ClientContact:
    name: str = strawberry.field(description="The client's name as they gave it.")
    email: str = strawberry.field(
        description="The client's sign-in address; emails to them go here.")
    email_confirmed: bool = strawberry.field(
        description="Whether the client has confirmed the address from its email.")

    @classmethod
    def of(cls, client: Account) -> Self:
        return cls(name=client.name, email=client.email,
                   email_confirmed=client.email_confirmed_at is not None)


def _relations(engagement: m.Engagement, loaders: Loaders
               ) -> tuple[Service, ProfessionalProfile]:
    """The service and professional as API objects, shared by every engagement and session
    of the request that shows them; a shared awaitable for one not in hand."""
    service, profile = loaders.engagement_relations_now(engagement)

    async def load_service() -> Service:
        return Service.of(await loaders.service_of(engagement))

    async def load_professional() -> ProfessionalProfile:
        return ProfessionalProfile.of(await loaders.profile_of(
            await loaders.service_of(engagement)))

    return (
        loaders.shown(Service, service.id, lambda: Service.of(service)) if service
        else cast("Service", Once(load_service)),
        loaders.shown(ProfessionalProfile, profile.id, lambda: ProfessionalProfile.of(profile))
        if profile else cast("ProfessionalProfile", Once(load_professional)),
    )


def _progress_later(engagement_id: UUID, viewpoint: Viewpoint, loaders: Loaders) -> Progress:
    """Loaded when awaited, batched with the other engagements of the answer."""
    async def load() -> Progress:
        return Progress.of(await loaders.progress(viewpoint.zone.key).load(engagement_id))

    return cast("Progress", Once(load))


@strawberry.type(description="One client connected to one service.")
class Engagement(relay.Node):
    engagement_id: relay.NodeID[str]
    id: strawberry.ID = strawberry.field(description=GLOBAL_ID)
    status: EngagementStatus = strawberry.field(
        description="Where the engagement stands; sessions can be booked only while ACTIVE.")
    source: EngagementSource = strawberry.field(
        description="Whether it began with an invitation or a request through the service's link.")
    request_message: str = strawberry.field(description="What the client wrote when asking.")
    decline_reason: str = strawberry.field(
        description="The professional's reason, sent to the client; empty unless DECLINED.")
    end_reason: str = strawberry.field(
        description="The reason given when it ended, sent to the other side; may be empty.")
    ended_by: EngagementSide | None = strawberry.field(
        description="Which side ended it; null unless ENDED.")
    requested_at: datetime | None = strawberry.field(
        description="When the client asked (UTC); null for an invitation.")
    started_at: datetime | None = strawberry.field(description="When it became active.")
    declined_at: datetime | None = strawberry.field(
        description="When the request was declined (UTC); null unless DECLINED.")
    ended_at: datetime | None = strawberry.field(
        description="When it ended (UTC); null unless ENDED.")
    # Relations and progress are plain fields holding the object, or, when it is not in hand,
    # a shared awaitable that loads it (batched across the list): the hub's engagements then
    # cost no awaited field at all (BENCHMARKS.md, the hub).
    service: Service = strawberry.field(description="The service the client engaged.")
    professional: ProfessionalProfile = strawberry.field(
        description="The professional who gives the service.")
    progress: Progress = strawberry.field(
        description="Sessions attended, cancelled and missed, and when; months in the "
                    "viewer's time zone.")
    _model: strawberry.Private[m.Engagement]

    @classmethod
    def of(cls, engagement: m.Engagement, viewpoint: Viewpoint, loaders: Loaders,
           progress: ProgressFigures | None = None) -> Self:
        """`progress`: the figures, when the caller fetched them ahead for the viewer."""
        service, professional = _relations(engagement, loaders)
        return cls(
            engagement_id=str(engagement.id), id=global_id("Engagement", engagement.id),
            status=engagement.status,
            source=engagement.source, request_message=engagement.request_message,
            decline_reason=engagement.decline_reason, end_reason=engagement.end_reason,
            ended_by=engagement.ended_by, requested_at=engagement.requested_at,
            started_at=engagement.started_at, declined_at=engagement.declined_at,
            ended_at=engagement.ended_at, service=service, professional=professional,
            progress=Progress.of(progress) if progress is not None
            else _progress_later(engagement.id, viewpoint, loaders),
            _model=engagement,
        )

    @classmethod
    def list_of(cls, found: Iterable[m.Engagement], viewpoint: Viewpoint, loaders: Loaders,
                progress: Mapping[UUID, ProgressFigures] | None = None) -> list[Engagement]:
        figures = progress or {}
        return [cls.of(engagement, viewpoint, loaders, figures.get(engagement.id))
                for engagement in found]

    @classmethod
    def seen_by(cls, info: Info) -> Callable[[m.Engagement], Self]:
        """`of` for the caller of this request."""
        viewpoint, loaders = info.context.viewpoint, info.context.loaders
        return lambda engagement: cls.of(engagement, viewpoint, loaders)

    @strawberry.field(description="The client's contact details.")
    async def client(self, info: Info) -> ClientContact:
        return ClientContact.of(await info.context.loaders.client_of(self._model))

    @strawberry.field(description="The id to open the client's profile with (clientProfile); "
                                  "it answers only the client's professional.")
    def client_profile_id(self) -> strawberry.ID:
        return strawberry.ID(relay.to_base64("ClientProfile", self._model.client_id))

    @strawberry.field(description="Seen by the client and the professional of this engagement.")
    def registration_details(self, info: Info) -> RegistrationDetails:
        return RegistrationDetails.of(
            engagements.details_of(info.context.caller.settings, self._model)
        )

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """Only the engagement's client and the professional of its service see it."""
        viewer = info.context.caller.account
        return await visible_nodes(
            node_ids, lambda ids: engagements.visible_engagements(viewer, ids), cls.seen_by(info))
