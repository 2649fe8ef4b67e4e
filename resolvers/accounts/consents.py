"""Consent to the terms of service and the privacy notice: which versions each person
accepted, and when (GDPR Art. 7(1): we must be able to show it).

A new account is made only with the current versions accepted (`register`, and an invitation
accepted as a new person); the check is plain equality with the settings, made before any
lookup, so it answers alike for a taken and a new address. Publishing a new version (a new
TERMS_VERSION or PRIVACY_NOTICE_VERSION) makes `consent_required` true for everyone until they
call `accept_terms` with it; the SPA shows the new text then. Other mutations are not refused
meanwhile: a person must still be able to export their data or delete their account without
agreeing to anything new.

It lives in accounts, not privacy, because account creation (accounts, practice) records it
in its own transaction, and those domains sit below privacy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.consent import Consent, LegalDocument
from resolvers.core import audit
from resolvers.core.caller import Caller
from resolvers.core.errors import UserError, check
from settings import Settings


@dataclass(frozen=True)
class AcceptedVersions:
    """The versions a person was shown and agreed to, as the form sends them."""

    terms: str
    privacy_notice: str


@dataclass(frozen=True)
class CurrentVersions:
    terms: str
    privacy_notice: str


def current(settings: Settings) -> CurrentVersions:
    return CurrentVersions(terms=settings.terms_version,
                           privacy_notice=settings.privacy_notice_version)


def consent_errors(settings: Settings, accepted: AcceptedVersions, *, prefix: str = ""
                   ) -> list[UserError]:
    """A missing or stale version, as the user errors of the form's fields."""
    errors = []
    if accepted.terms.strip() != settings.terms_version:
        errors.append(UserError(
            f"Read and accept the current terms of service (version {settings.terms_version}); "
            "reload the page if you were shown another version.", field=f"{prefix}acceptedTerms"))
    if accepted.privacy_notice.strip() != settings.privacy_notice_version:
        errors.append(UserError(
            "Read and accept the current privacy notice (version "
            f"{settings.privacy_notice_version}); reload the page if you were shown another "
            "version.", field=f"{prefix}acceptedPrivacyNotice"))
    return errors


async def record(settings: Settings, account: Account) -> None:
    """The current versions, accepted now; call inside the transaction that needs them (a new
    account). A version already accepted is not recorded twice."""
    now = datetime.now(UTC)
    for document, version in ((LegalDocument.TERMS, settings.terms_version),
                              (LegalDocument.PRIVACY_NOTICE, settings.privacy_notice_version)):
        if not await Consent.exists(account_id=account.id, document=document, version=version):
            await Consent.create(account_id=account.id, document=document, version=version,
                                 accepted_at=now)


async def my_consents(account: Account) -> list[Consent]:
    """Every acceptance, newest first."""
    return await Consent.filter(account_id=account.id).order_by("-accepted_at", "document")


async def consent_required(settings: Settings, account: Account) -> bool:
    """True while the account has not accepted the current terms and privacy notice."""
    accepted = await Consent.filter(
        account_id=account.id, version__in=[settings.terms_version,
                                            settings.privacy_notice_version]
    ).values_list("document", "version")
    wanted = {(LegalDocument.TERMS, settings.terms_version),
              (LegalDocument.PRIVACY_NOTICE, settings.privacy_notice_version)}
    return not wanted <= {(LegalDocument(document), version) for document, version in accepted}


async def accept_terms(caller: Caller, accepted: AcceptedVersions) -> Account:
    """The signed-in person accepts the versions they were shown, which must be the current
    ones (a version published while they read is refused: they are shown the new one)."""
    account = caller.require_account()
    check(consent_errors(caller.settings, accepted))
    try:
        async with in_transaction():
            await record(caller.settings, account)
            await audit.record(caller, "accept_terms", subject_type="account",
                               subject_id=account.id, person_id=account.id)
    except IntegrityError:
        pass  # the same acceptance sent twice at once: one of them recorded it
    return account
