"""Mutations for a professional's profile and services."""

from __future__ import annotations

from typing import Protocol, TypeVar

import strawberry

from resolvers.practice import profiles, services
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as
from schema.core.ids import node_uuid
from schema.practice.practice_types import (
    ProfessionalProfile,
    RegistrationDetail,
    Service,
    ServiceKind,
)


@strawberry.input(description="An amount of money in minor units (see Money).")
class MoneyInput:
    amount: int = strawberry.field(
        description="Integer minor units as in Money.amount (15000 ISK, 1250 for 12.50 EUR); not "
                    "negative.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. ISK, EUR.")


@strawberry.input(description="A free-text question the service asks its clients when they join.")
class CustomQuestionInput:
    text: str = strawberry.field(description="The question as clients will see it.")
    required: bool = strawberry.field(default=True, description="Whether clients must answer it.")
    id: str | None = strawberry.field(
        default=None,
        description="Give an existing question's id when editing it, so earlier answers still "
                    "match; leave out for a new question.",
    )


def _questions(given: list[CustomQuestionInput]) -> list[services.QuestionInput]:
    return [services.QuestionInput(text=q.text, required=q.required, id=q.id) for q in given]


@strawberry.input(description="A new service of the signed-in professional.")
class CreateServiceInput:
    title: str = strawberry.field(description="The name clients see; required.")
    kind: ServiceKind = strawberry.field(description="What kind of help it is.")
    session_minutes: int = strawberry.field(description="Length of each session, in minutes.")
    price: MoneyInput = strawberry.field(description="Per session, VAT included.")
    description: str = strawberry.field(default="", description="Longer text for the request page.")
    vat_rate_basis_points: int = strawberry.field(
        default=0, description="2400 is 24 %; receipts show the VAT part of the price."
    )
    self_booking: bool = strawberry.field(
        default=False,
        description="Let clients book sessions themselves.")
    cancellation_window_hours: int = strawberry.field(
        default=24,
        description="Cancelling later than this many hours before a session is a late "
                    "cancellation.")
    card_required: bool = strawberry.field(
        default=False,
        description="Clients need a card on file to book.")
    auto_charge: bool = strawberry.field(
        default=False, description="Charge the card on file when a session is completed or "
                                   "late-cancelled.")
    required_details: list[RegistrationDetail] = strawberry.field(
        default_factory=list,
        description="What clients must give when joining.")
    custom_questions: list[CustomQuestionInput] = strawberry.field(
        default_factory=list,
        description="Extra questions clients answer when joining, in order.")
    details_purpose: str = strawberry.field(
        default="",
        description="Why you ask for these details, shown to clients before they give them; "
                    "empty: a default explanation is shown.")


@strawberry.input(description="Fields left out stay as they are; the slug never changes.")
class UpdateServiceInput:
    service_id: strawberry.ID = strawberry.field(
        description="The Service's global id; it must be yours.")
    title: strawberry.Maybe[str] = strawberry.field(description="The name clients see.")
    kind: strawberry.Maybe[ServiceKind] = strawberry.field(description="What kind of help it is.")
    description: strawberry.Maybe[str] = strawberry.field(
        description="Longer text for the request page.")
    session_minutes: strawberry.Maybe[int] = strawberry.field(
        description="Length of new sessions, in minutes; booked ones keep theirs.")
    price: strawberry.Maybe[MoneyInput] = strawberry.field(
        description="Price of new bookings, VAT included; booked sessions keep theirs.")
    vat_rate_basis_points: strawberry.Maybe[int] = strawberry.field(
        description="VAT included in the price, in hundredths of a percent (2400 is 24 %).")
    self_booking: strawberry.Maybe[bool] = strawberry.field(
        description="Let clients book sessions themselves.")
    cancellation_window_hours: strawberry.Maybe[int] = strawberry.field(
        description="Applies to sessions booked from now on.")
    card_required: strawberry.Maybe[bool] = strawberry.field(
        description="Clients need a card on file to book.")
    auto_charge: strawberry.Maybe[bool] = strawberry.field(
        description="Charge completed and late-cancelled sessions to the card on file.")
    required_details: strawberry.Maybe[list[RegistrationDetail]] = strawberry.field(
        description="What clients joining from now on must give.")
    custom_questions: strawberry.Maybe[list[CustomQuestionInput]] = strawberry.field(
        description="The whole new list; questions not in it are removed."
    )
    details_purpose: strawberry.Maybe[str] = strawberry.field(
        description="Why you ask for the details; an empty string shows the default "
                    "explanation.")


@strawberry.input(description="Which service to archive.")
class ArchiveServiceInput:
    service_id: strawberry.ID = strawberry.field(
        description="The Service's global id; it must be yours.")


@strawberry.input(description="Fields left out stay as they are; an empty string clears one.")
class UpdateProfessionalProfileInput:
    display_name: strawberry.Maybe[str] = strawberry.field(description="The name clients see.")
    profession: strawberry.Maybe[str] = strawberry.field(
        description="E.g. Psychologist; printed on receipts.")
    practice_name: strawberry.Maybe[str] = strawberry.field(description="Printed on receipts.")
    registration_number: strawberry.Maybe[str] = strawberry.field(
        description="Professional registration number, printed on receipts.")
    vat_number: strawberry.Maybe[str] = strawberry.field(description="Printed on receipts.")
    contact_email: strawberry.Maybe[str] = strawberry.field(description="Where clients can write.")
    contact_phone: strawberry.Maybe[str] = strawberry.field(description="Where clients can call.")
    time_zone: strawberry.Maybe[str] = strawberry.field(
        description="IANA zone of the practice, e.g. Atlantic/Reykjavik; the opening hours move "
                    "with it.")


@strawberry.type(description="The result of a mutation on a service.")
class ServicePayload(Payload):
    service: Service | None = strawberry.field(
        default=None,
        description="The service after the change; null when userErrors is not empty.")


@strawberry.type(description="The result of updateProfessionalProfile.")
class ProfessionalProfilePayload(Payload):
    profile: ProfessionalProfile | None = strawberry.field(
        default=None,
        description="The profile after the change; null when userErrors is not empty.")


T = TypeVar("T", covariant=True)


class _Given(Protocol[T]):
    """strawberry.Some as read here: covariant, so a Some[str] passes where an object is due."""

    @property
    def value(self) -> T: ...


def _given(value: _Given[T] | None) -> T | None:
    return value.value if value else None


@strawberry.type
class ServiceMutations:
    @strawberry.mutation(description="Publish a new service; its request link works at once.")
    @user_errors_as(ServicePayload)
    async def create_service(self, info: Info, input: MutationInput[CreateServiceInput]
                             ) -> ServicePayload:
        service = await services.create_service(
            info.context.caller, title=input.title, kind=input.kind,
            session_minutes=input.session_minutes, price_amount=input.price.amount,
            currency=input.price.currency, description=input.description,
            vat_rate_basis_points=input.vat_rate_basis_points, self_booking=input.self_booking,
            cancellation_window_hours=input.cancellation_window_hours,
            card_required=input.card_required, auto_charge=input.auto_charge,
            required_details=input.required_details,
            custom_questions=_questions(input.custom_questions),
            details_purpose=input.details_purpose,
        )
        return ServicePayload(service=Service.of(service))

    @strawberry.mutation(description="Change a service; current clients keep their engagements.")
    @user_errors_as(ServicePayload)
    async def update_service(self, info: Info, input: MutationInput[UpdateServiceInput]
                             ) -> ServicePayload:
        price = input.price.value if input.price else None
        questions = input.custom_questions.value if input.custom_questions else None
        service = await services.update_service(
            info.context.caller, node_uuid(input.service_id, "Service"),
            title=_given(input.title), kind=_given(input.kind),
            description=_given(input.description), session_minutes=_given(input.session_minutes),
            price_amount=price.amount if price else None,
            currency=price.currency if price else None,
            vat_rate_basis_points=_given(input.vat_rate_basis_points),
            self_booking=_given(input.self_booking),
            cancellation_window_hours=_given(input.cancellation_window_hours),
            card_required=_given(input.card_required), auto_charge=_given(input.auto_charge),
            required_details=_given(input.required_details),
            custom_questions=_questions(questions) if questions is not None else None,
            details_purpose=_given(input.details_purpose),
        )
        return ServicePayload(service=Service.of(service))

    @strawberry.mutation(description="Stop offering a service: its request link and open "
                                     "invitations stop working; current clients continue.")
    @user_errors_as(ServicePayload)
    async def archive_service(self, info: Info, input: MutationInput[ArchiveServiceInput]
                              ) -> ServicePayload:
        service = await services.archive_service(info.context.caller,
                                                 node_uuid(input.service_id, "Service"))
        return ServicePayload(service=Service.of(service))

    @strawberry.mutation(description="Set what clients, request links and receipts show.")
    @user_errors_as(ProfessionalProfilePayload)
    async def update_professional_profile(
        self, info: Info, input: MutationInput[UpdateProfessionalProfileInput]
    ) -> ProfessionalProfilePayload:
        profile = await profiles.update_profile(
            info.context.caller,
            display_name=_given(input.display_name), profession=_given(input.profession),
            practice_name=_given(input.practice_name),
            registration_number=_given(input.registration_number),
            vat_number=_given(input.vat_number), contact_email=_given(input.contact_email),
            contact_phone=_given(input.contact_phone), time_zone=_given(input.time_zone),
        )
        return ProfessionalProfilePayload(profile=ProfessionalProfile.of(profile))
