"""The details a service asks of its clients: which are required, checking what a client gave,
and keeping the answers encrypted at rest.

Only what the service asks for is stored (data minimisation): a national id number typed into a
form for a service that does not need it is dropped, not kept. The answers are encrypted under
the server key with the engagement id sealed inside, so a copied database shows no answers and
a ciphertext moved to another engagement fails to open.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson

from crypto import secrets_at_rest
from models.practice import RegistrationDetail
from resolvers.core.errors import ErrorCode, UserError
from resolvers.core.validation import phone_error, text_error
from settings import Settings

SEAL_PURPOSE = "registration"
MAX_ANSWER_LENGTH = 1_000
MAX_QUESTIONS = 20
MAX_QUESTION_LENGTH = 500
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

FIELD_NAMES = {
    RegistrationDetail.PHONE: "phone",
    RegistrationDetail.DATE_OF_BIRTH: "dateOfBirth",
    RegistrationDetail.ADDRESS: "address",
    RegistrationDetail.NATIONAL_ID: "nationalId",
    RegistrationDetail.EMERGENCY_CONTACT: "emergencyContact",
    RegistrationDetail.EMPLOYER_OR_INSURER: "employerOrInsurer",
}
"""Each detail's input field, as the API spells it."""

_LABELS = {
    RegistrationDetail.PHONE: "your phone number",
    RegistrationDetail.DATE_OF_BIRTH: "your date of birth",
    RegistrationDetail.ADDRESS: "your address",
    RegistrationDetail.NATIONAL_ID: "your national id number",
    RegistrationDetail.EMERGENCY_CONTACT: "an emergency contact",
    RegistrationDetail.EMPLOYER_OR_INSURER: "your employer or insurer",
}


@dataclass(frozen=True)
class CustomQuestion:
    id: str
    text: str
    required: bool = True


@dataclass(frozen=True)
class CustomAnswer:
    question_id: str
    question: str
    """The question as it was asked, so the answer keeps its meaning if the service changes."""
    answer: str


@dataclass(frozen=True)
class RegistrationDetails:
    """What a client gave; also the input shape (custom answers keyed by question id)."""

    phone: str | None = None
    date_of_birth: date | None = None
    address: str | None = None
    national_id: str | None = None
    emergency_contact: str | None = None
    employer_or_insurer: str | None = None
    custom_answers: list[CustomAnswer] = field(default_factory=list)


def purpose_of(purpose: str, professional_name: str) -> str:
    """Why the details are asked for, as the client reads it before giving them: the
    professional's own words, or what every service uses them for."""
    return purpose or (
        f"{professional_name} asks for these details to provide the service and to reach you "
        "about it. Only they can see them; they are stored encrypted and kept with your "
        "records for as long as health-records law requires.")


def required_of(raw: list[str]) -> list[RegistrationDetail]:
    return [RegistrationDetail(value) for value in raw]


def questions_of(raw: list[dict]) -> list[CustomQuestion]:
    return [CustomQuestion(id=q["id"], text=q["text"], required=q["required"]) for q in raw]


def new_question_id() -> str:
    return "q" + secrets.token_hex(4)


def question_errors(questions: list[CustomQuestion], field: str = "customQuestions"
                    ) -> list[UserError]:
    errors = []
    if len(questions) > MAX_QUESTIONS:
        errors.append(UserError(f"Ask at most {MAX_QUESTIONS} questions.", field=field))
    for index, question in enumerate(questions):
        if error := text_error(question.text, f"{field}.{index}.text",
                               max_length=MAX_QUESTION_LENGTH, required=True):
            errors.append(error)
    return errors


def check_given(
    required: list[RegistrationDetail],
    questions: list[CustomQuestion],
    given: RegistrationDetails,
    *,
    prefix: str = "details",
) -> tuple[RegistrationDetails, list[UserError]]:
    """Keep what the service asks for and list every missing or malformed answer at once.

    Answers to questions the service no longer asks are dropped without complaint: the form may
    have been open while the professional edited the service.
    """
    errors: list[UserError] = []
    kept: dict[str, Any] = {}
    for detail in required:
        name = FIELD_NAMES[detail]
        value = getattr(given, detail.value)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            errors.append(UserError(f"Enter {_LABELS[detail]}: this service needs it.",
                                    ErrorCode.DETAIL_REQUIRED, f"{prefix}.{name}"))
            continue
        if error := _format_error(detail, value, f"{prefix}.{name}"):
            errors.append(error)
        kept[detail.value] = value
    answers_by_id = {a.question_id: a.answer.strip() for a in given.custom_answers}
    answers = []
    for question in questions:
        answer = answers_by_id.get(question.id, "")
        path = f"{prefix}.customAnswers.{question.id}"
        if not answer:
            if question.required:
                errors.append(UserError(f"Answer “{question.text}”: this service needs it.",
                                        ErrorCode.DETAIL_REQUIRED, path))
            continue
        if error := text_error(answer, path, max_length=MAX_ANSWER_LENGTH):
            errors.append(error)
        answers.append(CustomAnswer(question_id=question.id, question=question.text,
                                    answer=answer))
    return RegistrationDetails(**kept, custom_answers=answers), errors


def _format_error(detail: RegistrationDetail, value: object, path: str) -> UserError | None:
    if detail is RegistrationDetail.PHONE:
        return phone_error(str(value), path)
    if detail is RegistrationDetail.DATE_OF_BIRTH:
        assert isinstance(value, date)
        if not EARLIEST_BIRTH_DATE <= value <= datetime.now(UTC).date():
            return UserError("Enter your real date of birth.", field=path)
        return None
    return text_error(str(value), path, max_length=MAX_ANSWER_LENGTH)


def seal(settings: Settings, engagement_id: UUID, details: RegistrationDetails) -> bytes:
    plain = asdict(details)
    if details.date_of_birth:
        plain["date_of_birth"] = details.date_of_birth.isoformat()
    payload = orjson.dumps({"engagement": str(engagement_id), "details": plain})
    return secrets_at_rest.encrypt(settings.secret_key, payload, purpose=SEAL_PURPOSE)


def unseal(settings: Settings, engagement_id: UUID, sealed: bytes | None) -> RegistrationDetails:
    if sealed is None:
        return RegistrationDetails()
    payload = orjson.loads(
        secrets_at_rest.decrypt(settings.secret_key, sealed, purpose=SEAL_PURPOSE)
    )
    if payload["engagement"] != str(engagement_id):
        raise secrets_at_rest.UndecryptableError("these details belong to another engagement")
    plain = payload["details"]
    birth = plain.pop("date_of_birth")
    return RegistrationDetails(
        **{**plain, "custom_answers": [CustomAnswer(**a) for a in plain["custom_answers"]]},
        date_of_birth=date.fromisoformat(birth) if birth else None,
    )
