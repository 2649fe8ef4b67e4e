"""Services a professional offers: create, change, archive, and what a request link shows."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.practice import Invitation, RegistrationDetail, Service, ServiceKind
from resolvers.core.caller import Caller
from resolvers.core.errors import ErrorCode, UserError, check, fail
from resolvers.core.validation import text_error
from resolvers.practice.profiles import ensure_profile
from resolvers.practice.registration_details import (
    CustomQuestion,
    new_question_id,
    question_errors,
    questions_of,
)
from settings import Settings

SUPPORTED_CURRENCIES = frozenset({
    "ISK", "EUR", "USD", "GBP", "DKK", "NOK", "SEK", "CHF", "PLN", "CAD", "AUD",
})
MAX_PRICE_MINOR_UNITS = 100_000_000
_SLUG_SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_TRANSLITERATE = str.maketrans({"þ": "th", "ð": "d", "æ": "ae", "ø": "o", "ł": "l", "ß": "ss"})


@dataclass(frozen=True)
class QuestionInput:
    text: str
    required: bool = True
    id: str | None = None
    """Keep an existing question's id when editing it, so earlier answers still match."""


NOT_FOUND_MESSAGE = "That service does not exist, or it is not yours."


def request_url(settings: Settings, slug: str) -> str:
    """The link a professional shares; the SPA shows `publicService(slug)` there."""
    return f"{settings.public_url}/s/{slug}"


def new_slug(title: str) -> str:
    """A readable, unguessable slug: `career-counselling-k7fq2m`. Set once, never changed."""
    ascii_title = unicodedata.normalize("NFKD", title.casefold().translate(_TRANSLITERATE))
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.encode("ascii", "ignore").decode()).strip("-")
    suffix = "".join(secrets.choice(_SLUG_SUFFIX_ALPHABET) for _ in range(6))
    return f"{words[:40].strip('-') or 'service'}-{suffix}"


def _field_errors(values: dict[str, Any]) -> list[UserError]:
    """Check whichever service fields are present; every problem at once."""
    errors: list[UserError | None] = []
    if "title" in values:
        errors.append(text_error(str(values["title"]), "title", max_length=200, required=True))
    if "description" in values:
        errors.append(text_error(str(values["description"]), "description", max_length=5_000))
    if "details_purpose" in values:
        errors.append(text_error(str(values["details_purpose"]), "detailsPurpose",
                                 max_length=2_000))
    if "session_minutes" in values and not 5 <= values["session_minutes"] <= 600:
        errors.append(UserError("A session lasts between 5 and 600 minutes.",
                                field="sessionMinutes"))
    if "price_amount" in values and not (
        0 <= values["price_amount"] <= MAX_PRICE_MINOR_UNITS
    ):
        errors.append(UserError("Enter a price from 0 up to 100,000,000 in minor units.",
                                field="price.amount"))
    if "currency" in values and values["currency"] not in SUPPORTED_CURRENCIES:
        errors.append(UserError(
            f"Use one of these currency codes: {', '.join(sorted(SUPPORTED_CURRENCIES))}.",
            field="price.currency"))
    if "vat_rate_basis_points" in values and not (
        0 <= values["vat_rate_basis_points"] <= 10_000
    ):
        errors.append(UserError("Give VAT in basis points from 0 to 10000 (2400 is 24 %).",
                                field="vatRateBasisPoints"))
    if "cancellation_window_hours" in values and not (
        0 <= values["cancellation_window_hours"] <= 720
    ):
        errors.append(UserError("Give a cancellation window from 0 to 720 hours.",
                                field="cancellationWindowHours"))
    return [e for e in errors if e]


def _questions(given: list[QuestionInput], current: list[CustomQuestion]
               ) -> tuple[list[CustomQuestion], list[UserError]]:
    known = {q.id for q in current}
    questions = [
        CustomQuestion(id=q.id if q.id in known else new_question_id(), text=q.text.strip(),
                       required=q.required)
        for q in given
    ]
    errors = question_errors(questions)
    if len({q.id for q in questions}) != len(questions):
        errors.append(UserError("Each question may appear only once.",
                                field="customQuestions"))
    return questions, errors


def _stored(values: dict[str, object]) -> dict[str, Any]:
    """Input values in the form the model stores them (typed as Tortoise's `**kwargs: Any`)."""
    stored = dict(values)
    if "required_details" in stored:
        details = stored["required_details"]
        assert isinstance(details, list)
        stored["required_details"] = [d.value for d in RegistrationDetail if d in details]
    if "custom_questions" in stored:
        questions = stored["custom_questions"]
        assert isinstance(questions, list)
        stored["custom_questions"] = [
            {"id": q.id, "text": q.text, "required": q.required} for q in questions
        ]
    return stored


async def create_service(
    caller: Caller,
    *,
    title: str,
    kind: ServiceKind,
    session_minutes: int,
    price_amount: int,
    currency: str,
    description: str = "",
    vat_rate_basis_points: int = 0,
    self_booking: bool = False,
    cancellation_window_hours: int = 24,
    card_required: bool = False,
    auto_charge: bool = False,
    required_details: list[RegistrationDetail] | None = None,
    custom_questions: list[QuestionInput] | None = None,
    details_purpose: str = "",
) -> Service:
    account = caller.require_professional()
    values: dict[str, object] = {
        "title": title.strip(), "kind": kind, "description": description.strip(),
        "session_minutes": session_minutes, "price_amount": price_amount,
        "currency": currency.strip().upper(), "vat_rate_basis_points": vat_rate_basis_points,
        "self_booking": self_booking, "cancellation_window_hours": cancellation_window_hours,
        "card_required": card_required, "auto_charge": auto_charge,
        "required_details": list(required_details or []),
        "details_purpose": details_purpose.strip(),
    }
    questions, question_problems = _questions(custom_questions or [], [])
    values["custom_questions"] = questions
    check(_field_errors(values) + question_problems)
    profile = await ensure_profile(account)
    for _ in range(5):
        try:
            return await Service.create(professional=profile, slug=new_slug(title),
                                        **_stored(values))
        except IntegrityError:
            continue  # a slug collision (one in a billion): draw another suffix
    raise fail("Could not create the service just now; try again.")


async def update_service(caller: Caller, service_id: UUID | None, **changes: object) -> Service:
    """Change the given fields (absent ones stay). The slug never changes: shared links live on."""
    account = caller.require_professional()
    service = await owned_service(account, service_id)
    values = {name: value for name, value in changes.items() if value is not None}
    for name in ("title", "description", "details_purpose"):
        if name in values:
            values[name] = str(values[name]).strip()
    if "currency" in values:
        values["currency"] = str(values["currency"]).strip().upper()
    errors = _field_errors(values)
    if "custom_questions" in values:
        given = values["custom_questions"]
        assert isinstance(given, list)
        questions, question_problems = _questions(given, questions_of(service.custom_questions))
        values["custom_questions"] = questions
        errors += question_problems
    check(errors)
    if values:
        service.update_from_dict(_stored(values))
        await service.save(update_fields=list(values))
    return service


async def archive_service(caller: Caller, service_id: UUID | None) -> Service:
    """Stop offering a service: its link stops working and its open invitations are revoked
    (so they show as REVOKED, not PENDING); current clients keep their engagements."""
    account = caller.require_professional()
    service = await owned_service(account, service_id)
    if service.archived_at is None:
        service.archived_at = datetime.now(UTC)
        async with in_transaction():
            await Service.filter(id=service.id, archived_at=None).update(
                archived_at=service.archived_at
            )
            await Invitation.filter(service_id=service.id, accepted_at=None,
                                    revoked_at=None).update(revoked_at=service.archived_at)
    return service


async def owned_service(account: Account, service_id: UUID | None) -> Service:
    """The account's own service, or NOT_FOUND exactly as for a service that does not exist."""
    service = None
    if service_id is not None:
        service = await Service.get_or_none(
            id=service_id, professional__account_id=account.id
        ).select_related("professional")
    if service is None:
        raise fail(NOT_FOUND_MESSAGE, ErrorCode.NOT_FOUND, "serviceId")
    return service


async def list_services(account: Account, *, include_archived: bool) -> list[Service]:
    query = Service.filter(professional__account_id=account.id)
    if not include_archived:
        query = query.filter(archived_at=None)
    return await query.order_by("created_at").select_related("professional")


async def visible_services(account: Account | None, ids: Iterable[UUID]) -> dict[UUID, Service]:
    """Services the account may see: its own, and those it has (or had) an engagement with."""
    if account is None:
        return {}
    found = await Service.filter(
        Q(professional__account_id=account.id) | Q(engagements__client_id=account.id),
        id__in=list(ids),
    ).distinct().select_related("professional")
    return {service.id: service for service in found}


async def public_service(slug: str) -> Service | None:
    """What a request link shows, to anyone: null for unknown and archived services alike."""
    if len(slug) > 64:
        return None
    return await Service.get_or_none(slug=slug, archived_at=None).select_related("professional")
