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


@strawberry.input
class CustomAnswerInput:
    question_id: str = strawberry.field(description="CustomQuestion.id")
    answer: str


@strawberry.input(description="The details the service requires (see requiredDetails and "
                              "customQuestions). Details it does not ask for are not stored.")
class RegistrationDetailsInput:
    phone: str | None = None
    date_of_birth: date | None = None
    address: str | None = None
    national_id: str | None = None
    emergency_contact: str | None = None
    employer_or_insurer: str | None = None
    custom_answers: list[CustomAnswerInput] = strawberry.field(default_factory=list)

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


@strawberry.input
class RequestServiceInput:
    slug: str
    details: RegistrationDetailsInput = strawberry.field(default_factory=no_details)
    message: str = strawberry.field(default="", description="Shown to the professional.")


@strawberry.input
class ApproveRequestInput:
    engagement_id: strawberry.ID


@strawberry.input
class DeclineRequestInput:
    engagement_id: strawberry.ID
    reason: str = strawberry.field(description="Sent to the client.")


@strawberry.input
class EndEngagementInput:
    engagement_id: strawberry.ID
    reason: str = strawberry.field(default="", description="Sent to the other side.")


@strawberry.type
class EngagementPayload(Payload):
    engagement: Engagement | None = None


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
        return EngagementPayload(engagement=Engagement.of(engagement))

    @strawberry.mutation(description="Accept a pending request; the client is emailed.")
    @user_errors_as(EngagementPayload)
    async def approve_request(self, info: Info, input: MutationInput[ApproveRequestInput]
                              ) -> EngagementPayload:
        engagement = await engagements.approve_request(
            info.context.caller, node_uuid(input.engagement_id, "Engagement")
        )
        return EngagementPayload(engagement=Engagement.of(engagement))

    @strawberry.mutation(description="Decline a pending request with a reason; the client is "
                                     "emailed and may ask again later.")
    @user_errors_as(EngagementPayload)
    async def decline_request(self, info: Info, input: MutationInput[DeclineRequestInput]
                              ) -> EngagementPayload:
        engagement = await engagements.decline_request(
            info.context.caller, node_uuid(input.engagement_id, "Engagement"),
            reason=input.reason,
        )
        return EngagementPayload(engagement=Engagement.of(engagement))

    @strawberry.mutation(description="End an engagement, by the client or the professional; "
                                     "a client can also withdraw a pending request.")
    @user_errors_as(EngagementPayload)
    async def end_engagement(self, info: Info, input: MutationInput[EndEngagementInput]
                             ) -> EngagementPayload:
        engagement = await engagements.end_engagement(
            info.context.caller, node_uuid(input.engagement_id, "Engagement"),
            reason=input.reason,
        )
        return EngagementPayload(engagement=Engagement.of(engagement))
