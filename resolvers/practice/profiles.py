"""A professional's profile: what clients, request links and receipts show about them."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.practice import ProfessionalProfile
from models.scheduling import AvailabilitySettings
from resolvers.core.caller import Caller
from resolvers.core.errors import UserError, check
from resolvers.core.validation import (
    email_error,
    name_error,
    normalise_email,
    phone_error,
    text_error,
    time_zone_error,
)

_TEXT_LIMITS = {
    "profession": ("profession", 200),
    "practice_name": ("practiceName", 200),
    "registration_number": ("registrationNumber", 64),
    "vat_number": ("vatNumber", 64),
}


async def own_profile(account: Account) -> ProfessionalProfile | None:
    return await ProfessionalProfile.get_or_none(account_id=account.id)


async def ensure_profile(account: Account) -> ProfessionalProfile:
    """The professional's profile, created with their name and zone the first time it is needed.

    Two first requests at once both try to insert; the unique account column lets one win and
    the other reads the winner's row.
    """
    profile = await own_profile(account)
    if profile is not None:
        return profile
    try:
        return await ProfessionalProfile.create(
            account=account, display_name=account.name, time_zone=account.time_zone
        )
    except IntegrityError:
        return await ProfessionalProfile.get(account_id=account.id)


async def update_profile(caller: Caller, **changes: str | None) -> ProfessionalProfile:
    """Change the given fields (None leaves a field as it is; "" clears an optional one)."""
    account = caller.require_professional()
    given = {name: value.strip() for name, value in changes.items() if value is not None}
    errors: list[UserError | None] = []
    if "display_name" in given:
        errors.append(name_error(given["display_name"], "displayName"))
    for name, (api_name, limit) in _TEXT_LIMITS.items():
        if name in given:
            errors.append(text_error(given[name], api_name, max_length=limit))
    if given.get("contact_email"):
        given["contact_email"] = normalise_email(given["contact_email"])
        errors.append(email_error(given["contact_email"], "contactEmail"))
    if given.get("contact_phone"):
        errors.append(phone_error(given["contact_phone"], "contactPhone"))
    if "time_zone" in given:
        errors.append(time_zone_error(given["time_zone"]))
    check([e for e in errors if e])
    profile = await ensure_profile(account)
    if given:
        profile.update_from_dict(given)
        async with in_transaction():
            await profile.save(update_fields=list(given))
            if "time_zone" in given:  # one practice zone: the opening hours move with it
                await AvailabilitySettings.filter(professional_id=account.id).update(
                    time_zone=given["time_zone"])
    return profile


async def visible_profiles(account: Account | None, ids: Iterable[UUID]
                           ) -> dict[UUID, ProfessionalProfile]:
    """Profiles the account may see: its own, and those of professionals it is a client of."""
    if account is None:
        return {}
    found = await ProfessionalProfile.filter(
        Q(account_id=account.id) | Q(services__engagements__client_id=account.id),
        id__in=list(ids),
    ).distinct()
    return {profile.id: profile for profile in found}
