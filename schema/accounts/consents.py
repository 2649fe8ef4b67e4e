"""Consent in the API: the current versions to show before registering (`legalDocuments`),
what the viewer accepted (`viewer.consents`, `viewer.consentRequired`) and `acceptTerms`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from models.consent import Consent as ConsentRow
from resolvers.accounts import consents
from schema.core.context import Info
from schema.core.errors import MutationInput, Payload, user_errors_as

ACCEPTED_TERMS = ("The version of the terms of service the person was shown and accepted "
                  "(`legalDocuments.termsVersion`); another version is a userError on this "
                  "field.")
ACCEPTED_PRIVACY_NOTICE = ("The version of the privacy notice the person was shown and "
                           "accepted (`legalDocuments.privacyNoticeVersion`); another version "
                           "is a userError on this field.")


def accepted_versions(terms: str, privacy_notice: str) -> consents.AcceptedVersions:
    return consents.AcceptedVersions(terms=terms, privacy_notice=privacy_notice)


@strawberry.enum(description="A document a person agrees to.")
class LegalDocument(Enum):
    TERMS = strawberry.enum_value("terms", description="The terms of service.")
    PRIVACY_NOTICE = strawberry.enum_value(
        "privacy_notice", description="The privacy notice: what we keep, why and how long.")


@strawberry.type(description="The versions in force: show these texts, then send their "
                             "versions with register, acceptInvitation or acceptTerms.")
class LegalDocuments:
    terms_version: str = strawberry.field(description="The current terms of service version.")
    privacy_notice_version: str = strawberry.field(
        description="The current privacy notice version.")


@strawberry.type(description="One acceptance of one version of a document.")
class Consent:
    document: LegalDocument = strawberry.field(description="What was accepted.")
    version: str = strawberry.field(description="Which version of it.")
    accepted_at: datetime = strawberry.field(description="When it was accepted (UTC).")

    @classmethod
    def of(cls, row: ConsentRow) -> Self:
        return cls(document=LegalDocument(row.document.value), version=row.version,
                   accepted_at=row.accepted_at)


@strawberry.input(description="The versions the person was shown and accepted.")
class AcceptTermsInput:
    accepted_terms: str = strawberry.field(description=ACCEPTED_TERMS)
    accepted_privacy_notice: str = strawberry.field(description=ACCEPTED_PRIVACY_NOTICE)


@strawberry.type(description="The result of acceptTerms.")
class AcceptTermsPayload(Payload):
    consent_required: bool | None = strawberry.field(
        default=None, description="False once the current versions are accepted; null when "
                                  "userErrors is not empty.")


@strawberry.type
class ConsentQueries:
    @strawberry.field(description="The current terms of service and privacy notice versions; "
                                  "needs no sign-in (the registration form shows them).")
    def legal_documents(self, info: Info) -> LegalDocuments:
        current = consents.current(info.context.caller.settings)
        return LegalDocuments(terms_version=current.terms,
                              privacy_notice_version=current.privacy_notice)


@strawberry.type
class ConsentMutations:
    @strawberry.mutation(description="Accept the current terms and privacy notice, after a new "
                                     "version was published (viewer.consentRequired).")
    @user_errors_as(AcceptTermsPayload)
    async def accept_terms(self, info: Info, input: MutationInput[AcceptTermsInput]
                           ) -> AcceptTermsPayload:
        caller = info.context.caller
        account = await consents.accept_terms(caller, accepted_versions(
            input.accepted_terms, input.accepted_privacy_notice))
        return AcceptTermsPayload(
            consent_required=await consents.consent_required(caller.settings, account))
