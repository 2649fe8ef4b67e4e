"""The practice's shared object types: enums, money, profiles, services and request links.
Engagements are in schema/practice/engagement_types.py, invitations in
schema/practice/invitation_types.py.

Node types keep their model in a private field and resolve relations lazily; the resolvers
that return them prefetch those relations, so a list costs one query, not one per row. Each
`resolve_nodes` applies the same visibility rule as the resolvers, so `node(id:)` shows exactly
what the viewer may see and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from models import practice as m
from receipts.money import format_money
from resolvers.practice import invitations, profiles, services
from resolvers.practice import registration_details as details
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.ids import GLOBAL_ID, global_id, visible_nodes

described_enum(m.ServiceKind, {
    m.ServiceKind.PSYCHOLOGY: "Psychological therapy or counselling.",
    m.ServiceKind.PHYSIOTHERAPY: "Physiotherapy: treatment and exercise for the body.",
    m.ServiceKind.CAREER_COUNSELLING: "Guidance on studies, work and career changes.",
    m.ServiceKind.COACHING: "Coaching towards personal or professional goals.",
    m.ServiceKind.OTHER: "Any other kind of help; the title and description say which.",
}, name="ServiceKind", description="What kind of help a service gives.")
ServiceKind = m.ServiceKind
described_enum(
    m.RegistrationDetail, {
        m.RegistrationDetail.PHONE: "A phone number.",
        m.RegistrationDetail.DATE_OF_BIRTH: "The client's date of birth.",
        m.RegistrationDetail.ADDRESS: "A postal address.",
        m.RegistrationDetail.NATIONAL_ID: "A national identity number, e.g. the kennitala.",
        m.RegistrationDetail.EMERGENCY_CONTACT: "Someone to call in an emergency: name and "
                                                "phone.",
        m.RegistrationDetail.EMPLOYER_OR_INSURER: "Who may pay or reimburse the sessions.",
    }, name="RegistrationDetail",
    description="A detail a service can require from its clients.",
)
RegistrationDetail = m.RegistrationDetail
described_enum(
    m.EngagementStatus, {
        m.EngagementStatus.REQUESTED: "The client asked through the request link; the "
                                      "professional has not answered yet.",
        m.EngagementStatus.ACTIVE: "A current client: sessions can be booked.",
        m.EngagementStatus.DECLINED: "The professional declined the request.",
        m.EngagementStatus.ENDED: "One side ended it; its scheduled sessions were cancelled.",
    }, name="EngagementStatus",
    description="REQUESTED waits for the professional; ACTIVE is a current client; DECLINED "
                "and ENDED are over (the client may ask again).",
)
EngagementStatus = m.EngagementStatus
described_enum(m.EngagementSource, {
    m.EngagementSource.INVITATION: "The professional invited the client by email.",
    m.EngagementSource.REQUEST: "The client asked through the service's request link.",
}, name="EngagementSource", description="How the client came: invitation or request link.")
EngagementSource = m.EngagementSource
described_enum(m.EngagementSide, {
    m.EngagementSide.CLIENT: "The client of the engagement.",
    m.EngagementSide.PROFESSIONAL: "The professional who gives the service.",
}, name="EngagementSide", description="Which side of an engagement acted.")
EngagementSide = m.EngagementSide
described_enum(invitations.InvitationStatus, {
    invitations.InvitationStatus.PENDING: "Sent and not yet answered: the link works.",
    invitations.InvitationStatus.ACCEPTED: "The person accepted and became a client.",
    invitations.InvitationStatus.REVOKED: "The professional withdrew it.",
    invitations.InvitationStatus.EXPIRED: "Not accepted in time; resend it to renew.",
}, name="InvitationStatus", description="Only PENDING invitations can be accepted.")
InvitationStatus = invitations.InvitationStatus


@strawberry.type(description="An amount of money.")
class Money:
    amount: int = strawberry.field(
        description="Integer minor units as ISO 4217 defines them: 1250 EUR is 12.50 €, while "
                    "ISK has no minor unit, so 15000 ISK is 15.000 kr."
    )
    currency: str = strawberry.field(description="ISO 4217 code, e.g. ISK, EUR.")

    @strawberry.field(
        description="The amount written as the viewer's receipts write it, in their locale: "
                    "\"15.000 kr.\" for 15000 ISK in Icelandic, \"ISK 15,000\" in English. "
                    "Spaces in it are non-breaking. Signed-out viewers get English.")
    def formatted(self, info: Info) -> str:
        account = info.context.caller.account
        return format_money(self.amount, self.currency, account.locale if account else "en")


@strawberry.type(description="A free-text question a service asks its clients.")
class CustomQuestion:
    id: str = strawberry.field(description="Answer it with this id in customAnswers.")
    text: str = strawberry.field(description="The question as the client sees it.")
    required: bool = strawberry.field(
        description="The client must answer it to join (DETAIL_REQUIRED otherwise).")

    @classmethod
    def list_of(cls, raw: list[dict]) -> list[CustomQuestion]:
        return [cls(id=q.id, text=q.text, required=q.required) for q in details.questions_of(raw)]


@strawberry.type(description="A professional as clients and receipts see them.")
class ProfessionalProfile(relay.Node):
    profile_id: relay.NodeID[str]
    id: strawberry.ID = strawberry.field(description=GLOBAL_ID)
    display_name: str = strawberry.field(
        description="The name clients see, e.g. on the hub and in emails.")
    profession: str = strawberry.field(description="E.g. Psychologist; printed on receipts.")
    practice_name: str = strawberry.field(
        description="The practice's name, printed on receipts; may be empty.")
    registration_number: str = strawberry.field(description="Printed on receipts.")
    vat_number: str = strawberry.field(description="Printed on receipts; may be empty.")
    contact_email: str = strawberry.field(
        description="Where clients can write; may differ from the sign-in address.")
    contact_phone: str = strawberry.field(description="Where clients can call; may be empty.")
    time_zone: str = strawberry.field(
        description="IANA zone the practice works in: its opening hours are in it (the same as "
                    "Availability.timeZone; changing one changes the other).")

    @classmethod
    def of(cls, profile: m.ProfessionalProfile) -> Self:
        return cls(
            profile_id=str(profile.id), id=global_id("ProfessionalProfile", profile.id),
            display_name=profile.display_name,
            profession=profile.profession, practice_name=profile.practice_name,
            registration_number=profile.registration_number, vat_number=profile.vat_number,
            contact_email=profile.contact_email, contact_phone=profile.contact_phone,
            time_zone=profile.time_zone,
        )

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """The professional's own profile, and those of professionals the viewer is a client of."""
        viewer = info.context.caller.account
        return await visible_nodes(
            node_ids, lambda ids: profiles.visible_profiles(viewer, ids), cls.of)


@strawberry.type(description="Something a professional offers.")
class Service(relay.Node):
    service_id: relay.NodeID[str]
    id: strawberry.ID = strawberry.field(description=GLOBAL_ID)
    slug: str = strawberry.field(description="Stable; the request link is built from it.")
    title: str = strawberry.field(description="The name clients see.")
    kind: ServiceKind = strawberry.field(description="What kind of help it is.")
    description: str = strawberry.field(
        description="Longer text for the request page; may be empty.")
    session_minutes: int = strawberry.field(description="How long each session is, in minutes.")
    price: Money = strawberry.field(description="What the client pays per session, VAT included.")
    vat_rate_basis_points: int = strawberry.field(
        description="VAT included in the price, in hundredths of a percent: 2400 is 24 %."
    )
    self_booking: bool = strawberry.field(description="Clients may book sessions themselves.")
    cancellation_window_hours: int = strawberry.field(
        description="Cancelling later than this before a session counts as a late cancellation."
    )
    card_required: bool = strawberry.field(description="Clients need a card on file to book.")
    auto_charge: bool = strawberry.field(
        description="A completed or late-cancelled session is charged to the card on file."
    )
    required_details: list[RegistrationDetail] = strawberry.field(
        description="What clients must give when joining.")
    custom_questions: list[CustomQuestion] = strawberry.field(
        description="Extra questions clients answer when joining, in order.")
    details_purpose: str = strawberry.field(
        description="Why the details and questions are asked, in the professional's words; "
                    "empty: clients are shown the default explanation (PublicService).")
    archived_at: datetime | None = strawberry.field(
        description="Set once archived: no new clients, current ones continue."
    )
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    _model: strawberry.Private[m.Service]

    @classmethod
    def of(cls, service: m.Service) -> Self:
        return cls(
            service_id=str(service.id), id=global_id("Service", service.id), slug=service.slug,
            title=service.title,
            kind=service.kind, description=service.description,
            session_minutes=service.session_minutes,
            price=Money(amount=service.price_amount, currency=service.currency),
            vat_rate_basis_points=service.vat_rate_basis_points,
            self_booking=service.self_booking,
            cancellation_window_hours=service.cancellation_window_hours,
            card_required=service.card_required, auto_charge=service.auto_charge,
            required_details=details.required_of(service.required_details),
            custom_questions=CustomQuestion.list_of(service.custom_questions),
            details_purpose=service.details_purpose,
            archived_at=service.archived_at, created_at=service.created_at, _model=service,
        )

    @strawberry.field(description="The link to share; it opens the request page.")
    def request_url(self, info: Info) -> str:
        return services.request_url(info.context.caller.settings, self.slug)

    @strawberry.field(description="The professional who offers it.")
    async def professional(self, info: Info) -> ProfessionalProfile:
        return ProfessionalProfile.of(await info.context.loaders.profile_of(self._model))

    # Strawberry never passes required=True here (node(id:) is nullable).
    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],  # type: ignore[override]
                            required: bool = False) -> list[Self | None]:
        """The owner's services, and services the viewer is (or was) a client of."""
        viewer = info.context.caller.account
        return await visible_nodes(
            node_ids, lambda ids: services.visible_services(viewer, ids), cls.of)


@strawberry.type(description="What a request link shows to anyone, signed in or not.")
class PublicService:
    slug: str = strawberry.field(
        description="The service's stable key, as in its request link; pass it to requestService.")
    title: str = strawberry.field(description="The name of the service.")
    kind: ServiceKind = strawberry.field(description="What kind of help it is.")
    description: str = strawberry.field(description="Longer text about the service; may be empty.")
    session_minutes: int = strawberry.field(description="How long each session is, in minutes.")
    price: Money = strawberry.field(description="What a session costs, VAT included.")
    self_booking: bool = strawberry.field(
        description="Clients may book sessions themselves once accepted.")
    cancellation_window_hours: int = strawberry.field(
        description="Cancelling later than this before a session counts as late and may be "
                    "charged.")
    card_required: bool = strawberry.field(description="A card on file is needed before booking.")
    required_details: list[RegistrationDetail] = strawberry.field(
        description="What the client will be asked to give."
    )
    custom_questions: list[CustomQuestion] = strawberry.field(
        description="What else the client will be asked, in order.")
    details_purpose: str = strawberry.field(
        description="Why the professional asks for these details and who sees them: show it "
                    "beside the form, before the client gives them (GDPR Art. 13).")
    professional_name: str = strawberry.field(description="The professional's display name.")
    profession: str = strawberry.field(
        description="The professional's profession, e.g. Psychologist.")
    practice_name: str = strawberry.field(description="The practice's name; may be empty.")

    @classmethod
    def of(cls, service: m.Service, profile: m.ProfessionalProfile) -> Self:
        return cls(
            slug=service.slug, title=service.title, kind=service.kind,
            description=service.description, session_minutes=service.session_minutes,
            price=Money(amount=service.price_amount, currency=service.currency),
            self_booking=service.self_booking,
            cancellation_window_hours=service.cancellation_window_hours,
            card_required=service.card_required,
            required_details=details.required_of(service.required_details),
            custom_questions=CustomQuestion.list_of(service.custom_questions),
            details_purpose=details.purpose_of(service.details_purpose, profile.display_name),
            professional_name=profile.display_name, profession=profile.profession,
            practice_name=profile.practice_name,
        )
