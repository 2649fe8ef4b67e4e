"""Demo data, so a new user of the API sees the whole product working at once.

Everything is created through the same use cases the API runs, so the demo obeys every rule.
Each domain adds its part here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tortoise.context import TortoiseContext

import db
import seed_hub
from models.accounts import Account
from models.practice import RegistrationDetail, Service, ServiceKind
from resolvers import accounts, engagements, invitations, profiles, services
from resolvers.caller import Caller
from resolvers.registration_details import CustomAnswer, RegistrationDetails
from settings import Settings

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    time_zone: str
    professional: bool
    client: bool


PEOPLE = [
    DemoPerson("sigrun@demo.therapyhub.test", "Sigrún Jónsdóttir", "Atlantic/Reykjavik",
               professional=True, client=False),
    DemoPerson("oliver@demo.therapyhub.test", "Oliver Bennett", "Europe/London",
               professional=True, client=False),
    DemoPerson("maya@demo.therapyhub.test", "Maya Chen", "America/New_York",
               professional=True, client=True),
    DemoPerson("thorunn@demo.therapyhub.test", "Þórunn Ólafsdóttir", "Atlantic/Reykjavik",
               professional=False, client=True),
    DemoPerson("lukasz@demo.therapyhub.test", "Łukasz Żółć", "Europe/Warsaw",
               professional=False, client=True),
]


@dataclass(frozen=True)
class DemoService:
    owner: str
    title: str
    kind: ServiceKind
    minutes: int
    price: int
    currency: str
    required: tuple[RegistrationDetail, ...] = ()
    questions: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


PROFILES = {
    "sigrun@demo.therapyhub.test": {
        "profession": "Psychologist", "practice_name": "Sálfræðistofa Sigrúnar",
        "registration_number": "550199-1239", "contact_email": "stofa@demo.therapyhub.test",
        "contact_phone": "+354 555 0101",
    },
    "oliver@demo.therapyhub.test": {
        "profession": "Physiotherapist and running coach", "practice_name": "Bennett Physio",
        "registration_number": "12345678", "vat_number": "GB123456789",
    },
    "maya@demo.therapyhub.test": {
        "profession": "Career counsellor", "practice_name": "Chen Career Studio",
    },
}

SERVICES = [
    DemoService("sigrun@demo.therapyhub.test", "Psychological counselling",
                ServiceKind.PSYCHOLOGY, 50, 18_000, "ISK",
                (RegistrationDetail.PHONE, RegistrationDetail.DATE_OF_BIRTH,
                 RegistrationDetail.EMERGENCY_CONTACT),
                ("What would you like help with?",)),
    DemoService("oliver@demo.therapyhub.test", "Physiotherapy assessment and treatment",
                ServiceKind.PHYSIOTHERAPY, 45, 6_500, "GBP",
                (RegistrationDetail.PHONE, RegistrationDetail.ADDRESS,
                 RegistrationDetail.EMPLOYER_OR_INSURER),
                ("Where does it hurt, and since when?",), {"card_required": True}),
    DemoService("oliver@demo.therapyhub.test", "Running coaching", ServiceKind.COACHING, 60,
                5_000, "GBP", (RegistrationDetail.PHONE,),
                extra={"self_booking": True, "vat_rate_basis_points": 2_000}),
    DemoService("maya@demo.therapyhub.test", "Career counselling",
                ServiceKind.CAREER_COUNSELLING, 60, 12_000, "USD",
                (RegistrationDetail.PHONE,), ("What is your current role?",),
                {"self_booking": True}),
]

ENGAGEMENTS = [
    # (client, service title, approved?)
    ("thorunn@demo.therapyhub.test", "Psychological counselling", True),
    ("thorunn@demo.therapyhub.test", "Physiotherapy assessment and treatment", True),
    ("lukasz@demo.therapyhub.test", "Career counselling", True),
    ("lukasz@demo.therapyhub.test", "Running coaching", True),
    ("maya@demo.therapyhub.test", "Psychological counselling", True),
    ("lukasz@demo.therapyhub.test", "Psychological counselling", False),
]

INVITED = ("gudrun@demo.therapyhub.test", "Guðrún Helgadóttir", "Psychological counselling")


def _details(service: Service) -> RegistrationDetails:
    """Plausible answers to everything a demo service asks."""
    return RegistrationDetails(
        phone="+354 555 0199", date_of_birth=date(1988, 6, 17), address="Laugavegur 1, Reykjavík",
        emergency_contact="Jón Jónsson, +354 555 0142", employer_or_insurer="Sjúkratryggingar",
        custom_answers=[CustomAnswer(question_id=q["id"], question=q["text"],
                                     answer="Happy to tell you more in our first session.")
                        for q in service.custom_questions],
    )


async def seed_practice(settings: Settings) -> None:
    """Profiles and services for the professionals, engagements for the clients, one pending
    request and one open invitation: the request and invitation flows, already walked."""
    if await Service.exists():
        return
    callers = {a.email: Caller(settings=settings, address="seed", account=a)
               for a in await Account.filter(email__in=[p.email for p in PEOPLE])}
    for email, profile in PROFILES.items():
        await profiles.update_profile(callers[email], **profile)
    created = {}
    for demo in SERVICES:
        created[demo.title] = await services.create_service(
            callers[demo.owner], title=demo.title, kind=demo.kind, session_minutes=demo.minutes,
            price_amount=demo.price, currency=demo.currency, required_details=list(demo.required),
            custom_questions=[services.QuestionInput(text=q) for q in demo.questions],
            **demo.extra,  # type: ignore[arg-type]
        )
    owners = {demo.title: demo.owner for demo in SERVICES}
    for client, title, approved in ENGAGEMENTS:
        service = created[title]
        engagement = await engagements.request_service(
            callers[client], slug=service.slug, details=_details(service),
            message="I found your page through a friend.",
        )
        if approved:
            await engagements.approve_request(callers[owners[title]], engagement.id)
    email, name, title = INVITED
    await invitations.invite_client(callers[owners[title]], created[title].id, email=email,
                                    name=name, message="Hlakka til að hitta þig.",
                                    locale="is")


async def seed(settings: Settings) -> list[DemoPerson]:
    created = []
    for person in PEOPLE:
        if await Account.exists(email=person.email):
            continue
        signed_in = await accounts.register(
            Caller(settings=settings, address="seed"), email=person.email,
            password=DEMO_PASSWORD, name=person.name, time_zone=person.time_zone,
            as_client=person.client, as_professional=person.professional,
        )
        if signed_in.note_recovery_key:
            print(f"Notes recovery key of {person.email} (shown once): "
                  f"{signed_in.note_recovery_key}")
        created.append(person)
    await seed_practice(settings)
    await seed_hub.seed_session_history()
    return created


async def run(settings: Settings, *, only_if_empty: bool) -> None:
    config = db.tortoise_config(settings.database_url)
    async with TortoiseContext() as context:
        await context.init(config=config)
        if only_if_empty and await Account.exists():
            print("Database has accounts already; demo data not loaded again.")
        else:
            await seed(settings)
    print(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for person in PEOPLE:
        roles = " + ".join(r for r, on in (("professional", person.professional),
                                           ("client", person.client)) if on)
        print(f"  {person.email:34} {person.name} ({roles})")
    print(f"Invited, not yet registered: {INVITED[0]} (the serve command writes the invitation "
          f"email to {settings.mail_dir} when SMTP is not configured)")
    print()
