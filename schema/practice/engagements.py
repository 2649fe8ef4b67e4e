"""Mutations on engagements: asking through a request link, answering, ending."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers.practice import engagements
from resolvers.practice import registration_details as details
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.ids import node_uuid
from schema.practice.engagement_types import Engagement


@strawberry.input(description="The answer to one custom question of the service.")
class CustomAnswerInput:
    question_id: str = strawberry.field(description="CustomQuestion.id")
    answer: str = strawberry.field(
        description="Free text; required questions need a non-empty answer.")


@strawberry.input(description="The details the service requires (see requiredDetails and "
                              "customQuestions). Details it does not ask for are not stored.")
class RegistrationDetailsInput:
    phone: str | None = strawberry.field(
        default=None,
        description="Required when the service asks for PHONE.")
    date_of_birth: date | None = strawberry.field(
        default=None,
        description="Required when the service asks for DATE_OF_BIRTH.")
    address: str | None = strawberry.field(
        default=None,
        description="Required when the service asks for ADDRESS.")
    national_id: str | None = strawberry.field(
        default=None,
        description="Required when the service asks for NATIONAL_ID.")
    emergency_contact: str | None = strawberry.field(
        default=None,
        description="Required when the service asks for EMERGENCY_CONTACT.")
    employer_or_insurer: str | None = strawberry.field(
        default=None,
        description="Required when the service asks for EMPLOYER_OR_INSURER.")
    custom_answers: list[CustomAnswerInput] = strawberry.field(
        default_factory=list,
        description="One answer per custom question, by its id.")

    def given(self) -> details.RegistrationDetails:
        return details.RegistrationDetails(
            phone=self.phone, date_of_birth=self.date_of_birth, address=self.address,
            national_id=self.national_id, emergency_contact=self.emergency_contact,
            employer_or_insurer=self.employer_or_insurer,
            custom_answers=[details.CustomAnswer(question_id=a.question_id, question="",
                                                 answer=a.answer) for a in self.custom_answers],
        )


def no_details() -> RegistrationDetailsInput:
    return RegistrationDetailsInput()


@strawberry.input(description="Ask to become a client of a service through its request link.")
class RequestServiceInput:
    slug: str = strawberry.field(description="From the request link (PublicService.slug).")
    details: RegistrationDetailsInput = strawberry.field(
        default_factory=no_details,
        description="What the service requires (PublicService.requiredDetails and "
                    "customQuestions).")
    message: str = strawberry.field(default="", description="Shown to the professional.")


@strawberry.input(description="Which request to accept.")
class ApproveRequestInput:
    engagement_id: strawberry.ID = strawberry.field(
        description="The Engagement's global id; it must be REQUESTED and yours.")


@strawberry.input(description="Which request to decline, and why.")
class DeclineRequestInput:
    engagement_id: strawberry.ID = strawberry.field(
        description="The Engagement's global id; it must be REQUESTED and yours.")
    reason: str = strawberry.field(description="Sent to the client.")


@strawberry.input(description="Which engagement to end; its scheduled sessions are cancelled.")
class EndEngagementInput:
    engagement_id: strawberry.ID = strawberry.field(
        description="The Engagement's global id; either side may end an ACTIVE one.")
    reason: str = strawberry.field(default="", description="Sent to the other side.")


@strawberry.type(description="The result of a mutation on an engagement.")
class EngagementPayload(Payload):
    engagement: Engagement | None = strawberry.field(
        default=None,
        description="The engagement after the change; null when userErrors is not empty.")


@strawberry.type
class EngagementMutations:
    @strawberry.mutation(description="Ask to become a client of a service (signed in). The "
                                     "professional is emailed and answers in pendingRequests.")
    @user_errors_as(EngagementPayload)
    async def request_service(self, info: Info, input: MutationInput[RequestServiceInput]
                              ) -> EngagementPayload:
        engagement = await engagements.request_service(
            info.context.caller, slug=input.slug, details=input.details.given(),
            message=input.message,
        )
        return EngagementPayload(engagement=Engagement.seen_by(info)(engagement))

    @strawberry.mutation(description="Accept a pending request; the client is emailed.")
    @user_errors_as(EngagementPayload)
    async def approve_request(self, info: Info, input: MutationInput[ApproveRequestInput]
                              ) -> EngagementPayload:
        engagement = await engagements.approve_request(
            info.context.caller, node_uuid(input.engagement_id, "Engagement")
        )
        return EngagementPayload(engagement=Engagement.seen_by(info)(engagement))

    @strawberry.mutation(description="Decline a pending request with a reason; the client is "
                                     "emailed and may ask again later.")
    @user_errors_as(EngagementPayload)
    async def decline_request(self, info: Info, input: MutationInput[DeclineRequestInput]
                              ) -> EngagementPayload:
        engagement = await engagements.decline_request(
            info.context.caller, node_uuid(input.engagement_id, "Engagement"),
            reason=input.reason,
        )
        return EngagementPayload(engagement=Engagement.seen_by(info)(engagement))

    @strawberry.mutation(description="End an engagement, by the client or the professional; "
                                     "a client can also withdraw a pending request.")
    @user_errors_as(EngagementPayload)
    async def end_engagement(self, info: Info, input: MutationInput[EndEngagementInput]
                             ) -> EngagementPayload:
        engagement = await engagements.end_engagement(
            info.context.caller, node_uuid(input.engagement_id, "Engagement"),
            reason=input.reason,
        )
        return EngagementPayload(engagement=Engagement.seen_by(info)(engagement))
