"""The practice: professional profiles, services, invitations and engagements (client x service)."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class ServiceKind(StrEnum):
    PSYCHOLOGY = "psychology"
    PHYSIOTHERAPY = "physiotherapy"
    CAREER_COUNSELLING = "career_counselling"
    COACHING = "coaching"
    OTHER = "other"


class RegistrationDetail(StrEnum):
    """The fixed set of details a service may require; custom questions cover the rest."""

    PHONE = "phone"
    DATE_OF_BIRTH = "date_of_birth"
    ADDRESS = "address"
    NATIONAL_ID = "national_id"
    EMERGENCY_CONTACT = "emergency_contact"
    EMPLOYER_OR_INSURER = "employer_or_insurer"


class EngagementStatus(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


OPEN_ENGAGEMENT_STATUSES = (EngagementStatus.REQUESTED, EngagementStatus.ACTIVE)
"""At most one engagement per client and service may be in these (a partial unique index)."""


class EngagementSource(StrEnum):
    INVITATION = "invitation"
    REQUEST = "request"


class EngagementSide(StrEnum):
    CLIENT = "client"
    PROFESSIONAL = "professional"


class ProfessionalProfile(Model):
    """What clients and receipts show about a professional, one per professional account."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.Account", related_name="professional_profile", on_delete=fields.CASCADE
    )
    account_id: UUID
    display_name = fields.CharField(max_length=200)
    profession = fields.CharField(max_length=200, default="")
    practice_name = fields.CharField(max_length=200, default="")
    registration_number = fields.CharField(max_length=64, default="")
    """Business registration number (kennitala, company number), printed on receipts."""
    vat_number = fields.CharField(max_length=64, default="")
    contact_email = fields.CharField(max_length=254, default="")
    contact_phone = fields.CharField(max_length=32, default="")
    time_zone = fields.CharField(max_length=64, default="UTC")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "professional_profile"


class Service(Model):
    """Something a professional offers. The slug never changes, so shared links keep working."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    professional: fields.ForeignKeyRelation[ProfessionalProfile] = fields.ForeignKeyField(
        "practice.ProfessionalProfile", related_name="services", on_delete=fields.CASCADE
    )
    professional_id: UUID
    slug = fields.CharField(max_length=64, unique=True)
    title = fields.CharField(max_length=200)
    kind = fields.CharEnumField(ServiceKind, max_length=32)
    description = fields.TextField(default="")
    session_minutes = fields.IntField()
    price_amount = fields.BigIntField()
    """Integer minor units of `currency` as ISO 4217 defines them (ISK has none: 15000 is
    15.000 kr)."""
    currency = fields.CharField(max_length=3)
    vat_rate_basis_points = fields.IntField(default=0)
    """VAT included in the price, in hundredths of a percent: 2400 is 24 %."""
    self_booking = fields.BooleanField(default=False)
    cancellation_window_hours = fields.IntField(default=24)
    card_required = fields.BooleanField(default=False)
    auto_charge = fields.BooleanField(default=False)
    """Charge the card on file when a session is completed or late-cancelled."""
    required_details: fields.JSONField[list[str]] = fields.JSONField(default=list)
    """RegistrationDetail values the client must give."""
    custom_questions: fields.JSONField[list[dict]] = fields.JSONField(default=list)
    """[{"id": "q1a2", "text": "...", "required": true}]; ids stay when a question is edited."""
    details_purpose = fields.TextField(default="")
    """Why the service asks for its registration details, shown to the client before they
    give them (GDPR Art. 13(1)(c)); empty: the default explanation."""
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service"
        indexes = (("professional_id",),)


class Invitation(Model):
    """A single-use link to one service for one email address. Only the token's hash is kept."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "practice.Service", related_name="invitations", on_delete=fields.CASCADE
    )
    service_id: UUID
    email = fields.CharField(max_length=254)
    name = fields.CharField(max_length=200)
    message = fields.TextField(default="")
    locale = fields.CharField(max_length=16, default="en")
    token_hash = fields.CharField(max_length=64, unique=True)
    """Replaced on every re-send, so only the newest link works."""
    expires_at = fields.DatetimeField()
    last_sent_at = fields.DatetimeField()
    send_count = fields.IntField(default=1)
    revoked_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    accepted_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.Account", related_name="accepted_invitations", null=True,
        on_delete=fields.SET_NULL,
    )
    accepted_by_id: UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invitation"
        indexes = (("service_id",), ("accepted_by_id",))


class Engagement(Model):
    """One client connected to one service.

    A client has at most one requested-or-active engagement per service; the migration enforces
    it with a partial unique index, so two racing requests cannot both succeed.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    client: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name="engagements", on_delete=fields.CASCADE
    )
    client_id: UUID
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "practice.Service", related_name="engagements", on_delete=fields.CASCADE
    )
    service_id: UUID
    status = fields.CharEnumField(EngagementStatus, max_length=16)
    source = fields.CharEnumField(EngagementSource, max_length=16)
    invitation: fields.ForeignKeyNullableRelation[Invitation] = fields.ForeignKeyField(
        "practice.Invitation", related_name="engagements", null=True, on_delete=fields.SET_NULL
    )
    invitation_id: UUID | None
    details_sealed = fields.BinaryField(null=True)
    """The registration answers, encrypted under the server key with the engagement id inside."""
    request_message = fields.TextField(default="")
    decline_reason = fields.TextField(default="")
    end_reason = fields.TextField(default="")
    ended_by = fields.CharEnumField(EngagementSide, max_length=16, null=True)
    requested_at = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    declined_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "engagement"
        indexes = (("client_id",), ("service_id",), ("invitation_id",))
