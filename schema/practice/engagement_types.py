"""Engagements in the API: one client connected to one service, with what the client gave."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Self

import strawberry
from strawberry import relay

from models import practice as m
from models.accounts import Account
from resolvers.practice import engagements
from resolvers.practice import registration_details as details
from schema.core.context import Info, viewer_time_zone
from schema.core.ids import GLOBAL_ID, global_id, visible_nodes
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
    _model: strawberry.Private[m.Engagement]

    @classmethod
    def of(cls, engagement: m.Engagement) -> Self:
        return cls(
            engagement_id=str(engagement.id), id=global_id("Engagement", engagement.id),
            status=engagement.status,
            source=engagement.source, request_message=engagement.request_message,
            decline_reason=engagement.decline_reason, end_reason=engagement.end_reason,
            ended_by=engagement.ended_by, requested_at=engagement.requested_at,
            started_at=engagement.started_at, declined_at=engagement.declined_at,
            ended_at=engagement.ended_at, _model=engagement,
        )

    @classmethod
    def list_of(cls, found: Iterable[m.Engagement]) -> list[Engagement]:
        return [cls.of(engagement) for engagement in found]

    @strawberry.field(description="The service the client engaged.")
    async def service(self, info: Info) -> Service:
        return Service.of(await info.context.loaders.service_of(self._model))

    @strawberry.field(description="The professional who gives the service.")
    async def professional(self, info: Info) -> ProfessionalProfile:
        loaders = info.context.loaders
        return ProfessionalProfile.of(await loaders.profile_of(await loaders.service_of(
            self._model)))

    @strawberry.field(description="The client's contact details.")
    async def client(self, info: Info) -> ClientContact:
        return ClientContact.of(await info.context.loaders.client_of(self._model))

    @strawberry.field(description="Sessions attended, cancelled and missed, and when; months "
                                  "in the viewer's time zone.")
    async def progress(self, info: Info) -> Progress:
        loader = info.context.loaders.progress(viewer_time_zone(info))
        return Progress.of(await loader.load(self._model.id))

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
            node_ids, lambda ids: engagements.visible_engagements(viewer, ids), cls.of)
